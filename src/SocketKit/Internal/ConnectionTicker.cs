using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace SocketKit.Internal;

/// <summary>
/// One timer for many connections: every interval it visits each registered connection, which checks
/// its own deadlines and posts what is due to its loop. Driven by a <see cref="TimeProvider"/>, so tests
/// advance a fake clock instead of sleeping.
/// </summary>
internal sealed class ConnectionTicker : IDisposable
{
    /// <summary>The key of what owns the ticker (a server, for its accept budget): connection ids start at 1, so it takes none of theirs.</summary>
    public const long OwnerKey = 0;

    private static readonly ConditionalWeakTable<TimeProvider, ConnectionTicker> SharedTickers = new();
    private readonly ConcurrentDictionary<long, ITickable> _items = new();
    private readonly ITimer _timer;
    private int _ticking;

    public ConnectionTicker(TimeProvider timeProvider, TimeSpan interval)
    {
        TimeProvider = timeProvider;
        Interval = interval;
        _timer = timeProvider.CreateTimer(static state => ((ConnectionTicker)state!).Tick(), this, interval, interval);
    }

    public TimeProvider TimeProvider { get; }

    public TimeSpan Interval { get; }

    /// <summary>The process-wide ticker (one-second interval) for connections without a server, per TimeProvider.</summary>
    public static ConnectionTicker Shared(TimeProvider timeProvider) =>
        SharedTickers.GetValue(timeProvider, static tp => new ConnectionTicker(tp, TimeSpan.FromSeconds(1)));

    public void Register(long id, ITickable item) => _items[id] = item;

    public void Unregister(long id) => _items.TryRemove(id, out _);

    public void Tick()
    {
        // A slow tick must not overlap the next one.
        if (Interlocked.Exchange(ref _ticking, 1) != 0)
        {
            return;
        }

        try
        {
            var now = TimeProvider.GetTimestamp();
            foreach (var item in _items.Values)
            {
                item.OnTick(now);
            }
        }
        finally
        {
            Volatile.Write(ref _ticking, 0);
        }
    }

    public void Dispose() => _timer.Dispose();
}
