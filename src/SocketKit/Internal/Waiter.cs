namespace SocketKit.Internal;

/// <summary>
/// A one-shot wake-up kept in a field: whoever waits creates it (or joins the one there), whoever signals takes it
/// out and completes it. Waiters re-check their condition after <see cref="GetOrCreate"/>, so no signal is lost.
/// </summary>
internal static class Waiter
{
    public static TaskCompletionSource GetOrCreate(ref TaskCompletionSource? slot) =>
        LazyInitializer.EnsureInitialized(ref slot, static () => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    public static TaskCompletionSource<T> GetOrCreate<T>(ref TaskCompletionSource<T>? slot) =>
        LazyInitializer.EnsureInitialized(ref slot, static () => new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously));

    public static void Release(ref TaskCompletionSource? slot)
    {
        if (Volatile.Read(ref slot) is not null) // nobody waiting is the common case: skip the interlocked exchange
        {
            Interlocked.Exchange(ref slot, null)?.TrySetResult();
        }
    }
}
