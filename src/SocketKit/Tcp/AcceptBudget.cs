using SocketKit.Internal;
namespace SocketKit.Tcp;

/// <summary>
/// How many accepts a server may make until the next tick: refilled by the shared tick, so a fake
/// <see cref="TimeProvider"/> drives it in tests. (System.Threading.RateLimiting's limiters replenish from the
/// Stopwatch even when replenished by hand, so they cannot follow a TimeProvider.)
/// </summary>
internal sealed class AcceptBudget
{
    private readonly int _perTick;
    private int _left;
    private TaskCompletionSource? _refilled;

    public AcceptBudget(int perSecond, TimeSpan tickInterval)
    {
        _perTick = Math.Max(1, (int)Math.Ceiling(perSecond * tickInterval.TotalSeconds));
        _left = _perTick;
    }

    /// <summary>Takes one accept, waiting for the next refill when the budget is spent.</summary>
    public async ValueTask TakeAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var left = Volatile.Read(ref _left);
            if (left > 0)
            {
                if (Interlocked.CompareExchange(ref _left, left - 1, left) == left)
                {
                    return;
                }

                continue;
            }

            var refilled = Waiter.GetOrCreate(ref _refilled);
            if (Volatile.Read(ref _left) <= 0)
            {
                await refilled.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>A tick: a fresh budget (unused accepts do not carry over).</summary>
    public void Refill()
    {
        Volatile.Write(ref _left, _perTick);
        Waiter.Release(ref _refilled);
    }
}
