namespace SocketKit.TestSupport;

/// <summary>The one way tests wait: for an event, with a timeout in seconds that fails loudly.</summary>
public static class AsyncAssert
{
    public const int DefaultSeconds = 10;

    public static async Task<T> Within<T>(Task<T> task, string what, int seconds = DefaultSeconds)
    {
        try
        {
            return await task.WaitAsync(TimeSpan.FromSeconds(seconds));
        }
        catch (TimeoutException) when (!task.IsCompleted) // a task that itself failed with a TimeoutException reports that
        {
            Assert.Fail($"Timed out after {seconds} s waiting for {what}.");
            throw;
        }
    }

    public static async Task Within(Task task, string what, int seconds = DefaultSeconds)
    {
        try
        {
            await task.WaitAsync(TimeSpan.FromSeconds(seconds));
        }
        catch (TimeoutException) when (!task.IsCompleted) // a task that itself failed with a TimeoutException reports that
        {
            Assert.Fail($"Timed out after {seconds} s waiting for {what}.");
            throw;
        }
    }

    public static Task Within(ValueTask task, string what, int seconds = DefaultSeconds) => Within(task.AsTask(), what, seconds);

    public static Task<T> Within<T>(ValueTask<T> task, string what, int seconds = DefaultSeconds) => Within(task.AsTask(), what, seconds);
}
