namespace SocketKit.Servers;

/// <summary>
/// The whole run of anything that serves (a server, a UDP endpoint) in one call: start, serve until asked to stop,
/// stop gracefully. Asked by a token, by the stop signals, or by the server's own <c>StopAsync</c>.
/// </summary>
internal static class ServerRun
{
    /// <summary>
    /// <paramref name="start"/>, then serves until <paramref name="stopRequested"/> is cancelled or a stop has begun
    /// (<paramref name="stopping"/>), then <paramref name="stop"/>, whose drain <paramref name="stopNow"/> cuts short.
    /// </summary>
    public static async Task RunAsync(
        Func<Task> start, Func<CancellationToken, Task> stop, CancellationToken stopping, CancellationToken stopRequested, CancellationToken stopNow)
    {
        await start().ConfigureAwait(false);
        using (var either = CancellationTokenSource.CreateLinkedTokenSource(stopRequested, stopping))
        {
            try
            {
                await Task.Delay(Timeout.Infinite, either.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Asked to stop.
            }
        }

        await stop(stopNow).ConfigureAwait(false);
    }

    /// <summary>As <see cref="RunAsync"/>, asked to stop by SIGINT, SIGTERM or SIGQUIT (<see cref="StopSignals"/>).</summary>
    public static async Task RunUntilSignalledAsync(Func<Task> start, Func<CancellationToken, Task> stop, CancellationToken stopping)
    {
        using var signals = new StopSignals();
        await RunAsync(start, stop, stopping, signals.StopRequested, signals.StopNow).ConfigureAwait(false);
    }
}
