namespace SocketKit.Requests;

/// <summary>
/// A connection's bound on requests handled at once. Only its loop takes a slot, one message at a time, so at most one
/// taker waits; any request's task gives one back. (A <see cref="SemaphoreSlim"/> would do, but would need disposing
/// while tasks may still release it.)
/// </summary>
internal sealed class RequestSlots(int max)
{
    private readonly Lock _lock = new();
    private int _used;
    private TaskCompletionSource? _waiter;

    public ValueTask TakeAsync(CancellationToken cancellationToken)
    {
        TaskCompletionSource waiter;
        lock (_lock)
        {
            if (_used < max)
            {
                _used++;
                return ValueTask.CompletedTask;
            }

            _waiter = waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        return new ValueTask(waiter.Task.WaitAsync(cancellationToken));
    }

    public void Release()
    {
        TaskCompletionSource? waiter;
        lock (_lock)
        {
            waiter = _waiter;
            _waiter = null;
            if (waiter is null)
            {
                _used--; // a waiter takes the slot over instead
            }
        }

        waiter?.TrySetResult();
    }
}
