using System.Net.Sockets;
using SocketKit.Internal;
using SocketKit.Proxy;
using SocketKit.Transports;

namespace SocketKit.Tcp;

// The PROXY protocol: reading the header a trusted load balancer sends before anything else.
public sealed partial class TcpServer<TIn, TOut>
{
    private TaskCompletionSource? _proxyHeaderStarted; // tests only

    /// <summary>Internal for tests: completes when the next PROXY header read has started its deadline (take it before connecting).</summary>
    internal Task ProxyHeaderStarted => Waiter.GetOrCreate(ref _proxyHeaderStarted).Task;

    /// <summary>
    /// Starts <paramref name="transport"/> and reads the PROXY header from its input within the header timeout,
    /// consuming exactly the header: what follows stays in the pipe for TLS or the codec. Returns <see langword="null"/>
    /// if the header is malformed, too long, too slow or missing; that connection is then counted, logged and reset.
    /// </summary>
    private async Task<ProxyHeader?> ReadProxyHeaderAsync(Transport transport, ProxyProtocolOptions proxy, FiveTuple tuple)
    {
        transport.Start(HeaderObserver.Instance);
        using var deadline = proxy.HeaderTimeout == Timeout.InfiniteTimeSpan ? new CancellationTokenSource() : new CancellationTokenSource(proxy.HeaderTimeout, _time);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, _lifetime.Stopping);
        Waiter.Release(ref _proxyHeaderStarted);
        try
        {
            while (true)
            {
                var result = await transport.Input.ReadAsync(either.Token).ConfigureAwait(false);
                var buffer = result.Buffer;
                ProxyHeader? header = null;
                ProxyProtocolException? malformed = null;
                try
                {
                    header = ProxyHeader.TryParse(buffer, proxy.MaxHeaderLength);
                }
                catch (ProxyProtocolException e)
                {
                    malformed = e;
                }

                if (header is not null)
                {
                    transport.Input.AdvanceTo(buffer.GetPosition(header.Length)); // what follows is unexamined: the next reader gets it at once
                    return header;
                }

                transport.Input.AdvanceTo(buffer.Start, buffer.End);
                if (malformed is not null)
                {
                    throw malformed;
                }

                if (result.IsCompleted)
                {
                    throw new ProxyProtocolException("The connection ended before its PROXY header was complete.");
                }
            }
        }
        catch (Exception e) when (e is ProxyProtocolException or OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            var error = e is OperationCanceledException && deadline.IsCancellationRequested
                ? new ProxyProtocolException($"No complete PROXY header within {proxy.HeaderTimeout}.")
                : e;
            Interlocked.Increment(ref _rejected);
            _metrics!.Rejected("proxy_protocol");
            Log.ProxyHeaderRefused(_logger, tuple, error);
            await DropAsync(transport).ConfigureAwait(false);
            return null;
        }
    }

    /// <summary>Resets a transport that was started before it had a connection, and waits for its loops: nobody else will end its pipes.</summary>
    private async Task DropAsync(Transport started)
    {
        started.Abort();
        await started.Input.CompleteAsync().ConfigureAwait(false);
        await started.Output.CompleteAsync().ConfigureAwait(false);
        await started.ShutdownAsync(graceful: false, TimeSpan.Zero, _time).ConfigureAwait(false);
    }

    /// <summary>While the header is read nobody owns the connection yet: how the stream ends shows up in the pipe itself.</summary>
    private sealed class HeaderObserver : ITransportObserver
    {
        public static HeaderObserver Instance { get; } = new();

        public void OnReceived(int bytes)
        {
        }

        public void OnSent(long bytes)
        {
        }

        public void OnEnded(TransportEnding ending, Exception? error)
        {
        }
    }
}
