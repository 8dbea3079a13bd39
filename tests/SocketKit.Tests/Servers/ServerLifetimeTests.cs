using Microsoft.Extensions.Time.Testing;
using SocketKit.Connections;
using SocketKit.Internal;
using SocketKit.Servers;

namespace SocketKit.Tests.Servers;

/// <summary>The graceful stop every server shares: its drain deadline.</summary>
public class ServerLifetimeTests
{
    /// <summary>
    /// The race the pinned stress runs found (TcpCloseTests, 1 run in 10): the peer had its FIN and the clock passed the
    /// deadline before the stop began to wait, whose timer then counted 10 s from a clock that never moved again.
    /// </summary>
    [Fact]
    public async Task The_drain_deadline_counts_from_the_start_of_the_stop_even_when_the_clock_passes_it_before_the_wait()
    {
        var time = new FakeTimeProvider();
        using var lifetime = new ServerLifetime();
        var connection = new LingeringConnection(lifetime, onClose: () => time.Advance(TimeSpan.FromSeconds(11)));

        var stop = lifetime.StopAsync(() => Task.CompletedTask, () => [connection], TimeSpan.FromSeconds(10), time, () => Task.CompletedTask, CancellationToken.None);

        await AsyncAssert.Within(stop, "the stop to end: its drain deadline had passed");
        Assert.True(connection.Aborted, "the connection still open at the deadline was not reset");
        Assert.True(lifetime.DrainExpired.IsCancellationRequested);
    }

    [Fact]
    public async Task Before_the_deadline_the_stop_waits_for_the_connections()
    {
        var time = new FakeTimeProvider();
        using var lifetime = new ServerLifetime();
        var connection = new LingeringConnection(lifetime, onClose: () => time.Advance(TimeSpan.FromSeconds(9)));

        var stop = lifetime.StopAsync(() => Task.CompletedTask, () => [connection], TimeSpan.FromSeconds(10), time, () => Task.CompletedTask, CancellationToken.None);

        Assert.False(stop.IsCompleted);
        connection.Finish(); // the peer's FIN came back in time
        await AsyncAssert.Within(stop, "the stop to end once its connection finished");
        Assert.False(connection.Aborted);
    }

    /// <summary>A connection whose peer does not finish until told to; a reset ends it at once.</summary>
    private sealed class LingeringConnection : IOwnedConnection
    {
        private readonly ServerLifetime _lifetime;
        private readonly Action _onClose;
        private int _ended;

        public LingeringConnection(ServerLifetime lifetime, Action onClose)
        {
            _lifetime = lifetime;
            _onClose = onClose;
            lifetime.ConnectionStarted();
        }

        public bool Aborted { get; private set; }

        public long Id => 1;

        public FiveTuple Tuple => default!;

        public long CreatedAt => 0;

        public TrafficCounts Traffic => default;

        public CloseInfo? CloseInfo => null;

        public bool TryClose(CloseReason reason, Exception? error)
        {
            _onClose(); // the FIN is out: the peer (and a test's clock) may move on before the server waits
            return true;
        }

        public void Abort(Exception? error = null)
        {
            Aborted = true;
            Finish();
        }

        public void Finish()
        {
            if (Interlocked.Exchange(ref _ended, 1) == 0)
            {
                _lifetime.ConnectionEnded();
            }
        }
    }
}
