using System.Buffers;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using SocketKit.Codecs;
using SocketKit.Internal;
using SocketKit.Transports;

namespace SocketKit.Udp;

// Receiving: the handler loop or the pull enumeration, each datagram decoded with its five-tuple, bad ones dropped and reported.
public sealed partial class UdpEndpoint<TIn, TOut>
{
    /// <summary>
    /// Pull mode: the received datagrams, in order, for an endpoint created without a handler. Ends when the endpoint
    /// stops. Dropped datagrams are logged and counted in <see cref="DroppedDatagrams"/>. Can be enumerated once.
    /// </summary>
    /// <param name="cancellationToken">Stops the enumeration (the endpoint keeps running).</param>
    /// <returns>The datagrams.</returns>
    /// <exception cref="InvalidOperationException">The endpoint has a handler, is not started, or is already being read.</exception>
    public async IAsyncEnumerable<Datagram<TIn>> ReceiveAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (_handler is not null)
        {
            throw new InvalidOperationException("This endpoint delivers its datagrams to its handler; ReceiveAllAsync is for endpoints created without one.");
        }

        if (_socket is null)
        {
            throw NotStarted();
        }

        if (Interlocked.Exchange(ref _readerClaimed, 1) != 0)
        {
            throw new InvalidOperationException("ReceiveAllAsync can be enumerated only once per endpoint.");
        }

        while (await ReceiveNextAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return _current;
        }
    }

    private async Task RunHandlerAsync(DatagramHandler<TIn, TOut> handler)
    {
        await Task.Yield(); // off the caller of StartAsync
        var stopping = _stopping.Token;
        while (await ReceiveNextAsync(CancellationToken.None).ConfigureAwait(false))
        {
            try
            {
                await handler.OnDatagramAsync(this, _current, stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                Log.UdpHandlerFailed(_logger, _current.Tuple, e);
            }
            finally
            {
                _current = default;
            }
        }
    }

    /// <summary>Receives the next datagram that decodes into <see cref="_current"/>; false once the endpoint stops.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))] // suspends once per datagram: must not allocate
    private async ValueTask<bool> ReceiveNextAsync(CancellationToken cancellationToken)
    {
        var socket = _socket!;
        while (true)
        {
            int received;
            try
            {
                received = await socket.ReceiveFromAsync(_receiveBuffer, SocketFlags.None, _receivedFrom!, cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException e) when (SocketErrors.IsIcmpError(e.SocketErrorCode))
            {
                ReportError(_connectedPeer?.Tuple ?? default, e);
                continue;
            }
            catch (Exception e) when (e is ObjectDisposedException or SocketException && Volatile.Read(ref _state) == Stopped)
            {
                return false; // our own stop
            }
            catch (SocketException e)
            {
                Log.UdpReceiveFailed(_logger, socket.LocalEndPoint, e);
                return false;
            }

            var peer = _connectedPeer ?? _peers!.FromReceived(_receivedFrom!);
            if (received > _maxDatagramSize)
            {
                Drop(peer, new DatagramTruncatedException(_maxDatagramSize));
                continue;
            }

            try
            {
                var message = _decoder.Decode(new ReadOnlySequence<byte>(_receiveBuffer, 0, received));
                _current = new Datagram<TIn>(peer.Tuple, peer.EndPoint, message);
                Interlocked.Increment(ref _received);
                return true;
            }
            catch (ProtocolException e)
            {
                Drop(peer, e);
            }
        }
    }
}
