using System.Net;

namespace SocketKit.Udp;

/// <summary>One received datagram: its decoded message and the five-tuple it came on.</summary>
/// <typeparam name="T">The message type.</typeparam>
public readonly struct Datagram<T>
{
    internal Datagram(FiveTuple tuple, IPEndPoint remoteEndPoint, T message)
    {
        Tuple = tuple;
        RemoteEndPoint = remoteEndPoint;
        Message = message;
    }

    /// <summary>
    /// The flow: <c>udp</c>, the local address and port, the sender's address and port. For an endpoint bound to a
    /// wildcard address the local address is the bound one (<c>0.0.0.0</c> or <c>::</c>), not the datagram's destination.
    /// </summary>
    public FiveTuple Tuple { get; }

    /// <summary>The sender, ready to pass to <c>SendToAsync</c> for a reply (the same instance for every datagram of a known peer).</summary>
    public IPEndPoint RemoteEndPoint { get; }

    /// <summary>The decoded message. If it refers to the receive buffer, it is valid until the handler returns (pull mode: until the next <c>MoveNextAsync</c>).</summary>
    public T Message { get; }
}
