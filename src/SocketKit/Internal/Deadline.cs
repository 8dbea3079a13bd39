namespace SocketKit.Internal;

/// <summary>A time limit that started at a timestamp; <see cref="Timeout.InfiniteTimeSpan"/> means none.</summary>
internal readonly struct Deadline
{
    private readonly TimeProvider _time;
    private readonly long _start;
    private readonly TimeSpan _limit;

    public Deadline(TimeProvider time, TimeSpan limit)
    {
        _time = time;
        _start = time.GetTimestamp();
        _limit = limit;
    }

    /// <summary>What is left of the limit (never negative), or <see cref="Timeout.InfiniteTimeSpan"/> for no limit.</summary>
    public TimeSpan Remaining
    {
        get
        {
            if (_limit == Timeout.InfiniteTimeSpan)
            {
                return Timeout.InfiniteTimeSpan;
            }

            var left = _limit - _time.GetElapsedTime(_start);
            return left > TimeSpan.Zero ? left : TimeSpan.Zero;
        }
    }

    /// <summary>Waits for <paramref name="task"/> within what is left; <see cref="TimeoutException"/> at the deadline.</summary>
    public Task WaitAsync(Task task) => task.WaitAsync(Remaining, _time);
}
