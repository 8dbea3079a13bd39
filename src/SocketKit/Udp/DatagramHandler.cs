namespace SocketKit.Udp;

/// <summary>
/// What a <see cref="UdpEndpoint{TIn, TOut}"/> does with what it receives. One instance serves the endpoint; callbacks
/// never overlap (datagrams are handled one at a time, in arrival order, while the OS buffers the next ones).
/// </summary>
/// <typeparam name="TIn">The type of received messages.</typeparam>
/// <typeparam name="TOut">The type of sent messages.</typeparam>
public abstract class DatagramHandler<TIn, TOut>
{
    /// <summary>A datagram arrived and decoded. An exception is logged and the endpoint keeps receiving.</summary>
    /// <param name="endpoint">The endpoint, for replies.</param>
    /// <param name="datagram">The message and its five-tuple.</param>
    /// <param name="stopping">Cancelled when the endpoint stops.</param>
    /// <returns>A task that completes when the datagram is handled; the next one is not delivered before.</returns>
    public abstract ValueTask OnDatagramAsync(UdpEndpoint<TIn, TOut> endpoint, Datagram<TIn> datagram, CancellationToken stopping);

    /// <summary>
    /// A non-fatal error: a datagram that did not decode (<see cref="Codecs.ProtocolException"/>) or was too large
    /// (<see cref="DatagramTruncatedException"/>) and was dropped, or an ICMP error reported by the OS (a
    /// <see cref="System.Net.Sockets.SocketException"/> such as connection refused). The endpoint keeps running.
    /// </summary>
    /// <param name="endpoint">The endpoint.</param>
    /// <param name="tuple">The five-tuple concerned: the sender's, or for an ICMP error the connected peer's.</param>
    /// <param name="error">What happened.</param>
    public virtual void OnError(UdpEndpoint<TIn, TOut> endpoint, FiveTuple tuple, Exception error)
    {
    }
}
