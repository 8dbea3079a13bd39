using System.Net;

namespace SocketKit.Transports;

/// <summary>Sends one datagram to a peer through a shared socket: what a UDP session transport needs of its server.</summary>
internal interface IDatagramSender
{
    /// <summary>Sends <paramref name="datagram"/> to <paramref name="peer"/> as one datagram.</summary>
    ValueTask SendAsync(IPEndPoint peer, ReadOnlyMemory<byte> datagram, CancellationToken cancellationToken);
}
