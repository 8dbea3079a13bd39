using System.Collections.Concurrent;
using System.Threading.Channels;
using SocketKit.Udp;

namespace SocketKit.IntegrationTests.Infrastructure;

/// <summary>A handler that records datagrams and errors into channels tests can await, and checks callbacks never overlap.</summary>
public sealed class DatagramRecorder<TIn, TOut> : DatagramHandler<TIn, TOut>
{
    private readonly Channel<Datagram<TIn>> _datagrams = Channel.CreateUnbounded<Datagram<TIn>>();
    private readonly Channel<(FiveTuple Tuple, Exception Error)> _errors = Channel.CreateUnbounded<(FiveTuple, Exception)>();
    private int _inCallback;

    public Func<UdpEndpoint<TIn, TOut>, Datagram<TIn>, CancellationToken, ValueTask>? OnDatagram { get; set; }

    public ConcurrentQueue<string> Violations { get; } = new();

    public async Task<Datagram<TIn>> NextAsync(string what = "a datagram", int seconds = AsyncAssert.DefaultSeconds) =>
        await AsyncAssert.Within(_datagrams.Reader.ReadAsync().AsTask(), what, seconds);

    public async Task<(FiveTuple Tuple, Exception Error)> NextErrorAsync(string what = "an error", int seconds = AsyncAssert.DefaultSeconds) =>
        await AsyncAssert.Within(_errors.Reader.ReadAsync().AsTask(), what, seconds);

    /// <summary>The next error if one comes within <paramref name="seconds"/>; otherwise <see langword="null"/> (not a failure).</summary>
    public async Task<(FiveTuple Tuple, Exception Error)?> ErrorWithinAsync(double seconds)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        try
        {
            return await _errors.Reader.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return null;
        }
    }

    public override async ValueTask OnDatagramAsync(UdpEndpoint<TIn, TOut> endpoint, Datagram<TIn> datagram, CancellationToken stopping)
    {
        if (Interlocked.Exchange(ref _inCallback, 1) != 0)
        {
            Violations.Enqueue("callbacks overlapped");
        }

        try
        {
            if (OnDatagram is not null)
            {
                await OnDatagram(endpoint, datagram, stopping);
            }

            _datagrams.Writer.TryWrite(datagram);
        }
        finally
        {
            Volatile.Write(ref _inCallback, 0);
        }
    }

    public override void OnError(UdpEndpoint<TIn, TOut> endpoint, FiveTuple tuple, Exception error) => _errors.Writer.TryWrite((tuple, error));
}
