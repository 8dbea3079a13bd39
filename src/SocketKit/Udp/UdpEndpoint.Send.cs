using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using SocketKit.Internal;
using SocketKit.Transports;

namespace SocketKit.Udp;

// Sending: one message, one datagram; a non-blocking send first, so concurrent senders allocate nothing.
public sealed partial class UdpEndpoint<TIn, TOut>
{
    /// <summary>
    /// Encodes <paramref name="message"/> and sends it as one datagram to <paramref name="remote"/>. Safe from any
    /// thread. Completes when the OS has taken the datagram (UDP gives no delivery receipt).
    /// </summary>
    /// <param name="remote">The destination. An IPv4 destination on a dual-mode IPv6 endpoint is mapped for you.</param>
    /// <param name="message">The message.</param>
    /// <param name="cancellationToken">Cancels the send.</param>
    /// <returns>A task that completes when the datagram is sent.</returns>
    /// <exception cref="ArgumentException">The encoded message is larger than the maximum datagram size.</exception>
    /// <exception cref="InvalidOperationException">The endpoint is not running, or the destination is a broadcast address and <see cref="UdpEndpointOptions.EnableBroadcast"/> is off.</exception>
    /// <exception cref="SocketException">The OS refused the datagram.</exception>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))] // a send that waits must not allocate
    public async ValueTask SendToAsync(IPEndPoint remote, TOut message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(remote);
        var socket = _socket is { } s && Volatile.Read(ref _state) == Running ? s : throw NotRunning();
        DestinationCheck?.Invoke(remote);
        var address = _peers!.ToSend(remote);
        var buffer = _encodeBuffers.Get();
        try
        {
            var payload = Encode(message, buffer);
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    if (!TrySendNow(socket, payload.Span, address))
                    {
                        await socket.SendToAsync(payload, SocketFlags.None, address, cancellationToken).ConfigureAwait(false);
                    }

                    return;
                }
                catch (SocketException e) when (attempt == 0 && SocketErrors.IsIcmpError(e.SocketErrorCode))
                {
                    // The error belongs to an earlier datagram and is now cleared: report it and send this one.
                    ReportError(_connectedPeer?.Tuple ?? new FiveTuple(TransportProtocol.Udp, LocalEndPoint, remote), e);
                }
                catch (SocketException e) when (e.SocketErrorCode == SocketError.AccessDenied && !_options.EnableBroadcast)
                {
                    throw new InvalidOperationException(
                        $"The OS refused to send to {remote}. If it is a broadcast address, set {nameof(UdpEndpointOptions)}.{nameof(UdpEndpointOptions.EnableBroadcast)} to true.", e);
                }
            }
        }
        finally
        {
            buffer.Reset();
            _encodeBuffers.Return(buffer);
        }
    }

    /// <summary>Sends <paramref name="message"/> to the connected peer (<see cref="UdpEndpointOptions.RemoteEndPoint"/>).</summary>
    /// <param name="message">The message.</param>
    /// <param name="cancellationToken">Cancels the send.</param>
    /// <returns>A task that completes when the datagram is sent.</returns>
    /// <exception cref="InvalidOperationException">The endpoint is not connected, or not running.</exception>
    public ValueTask SendAsync(TOut message, CancellationToken cancellationToken = default) =>
        SendToAsync(_connectedPeer?.EndPoint ?? throw new InvalidOperationException(
            $"SendAsync needs a connected endpoint ({nameof(UdpEndpointOptions)}.{nameof(UdpEndpointOptions.RemoteEndPoint)}); use SendToAsync."), message, cancellationToken);

    /// <summary>
    /// Sends at once if the OS has room, which for UDP is nearly always. The socket's own async send keeps one cached
    /// operation, so concurrent senders (a server's sessions) would allocate a new one per overlapping send; this
    /// non-blocking call allocates nothing and is safe from many threads. False: the send buffer is full, wait for it.
    /// </summary>
    private static bool TrySendNow(Socket socket, ReadOnlySpan<byte> payload, SocketAddress address)
    {
        try
        {
            socket.SendTo(payload, SocketFlags.None, address);
            return true;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.WouldBlock)
        {
            return false;
        }
    }

    private ReadOnlyMemory<byte> Encode(TOut message, PooledBufferWriter buffer)
    {
        _encoder.Encode(message, buffer);
        if (buffer.WrittenMemory.Length > _maxDatagramSize)
        {
            throw new ArgumentException(FormattableString.Invariant(
                $"The encoded message is {buffer.WrittenMemory.Length} bytes, more than the {_maxDatagramSize}-byte maximum datagram."), nameof(message));
        }

        return buffer.WrittenMemory;
    }
}
