using SocketKit.Connections;

namespace SocketKit.Servers;

/// <summary>
/// What every server does to stop gracefully: it counts the connections still running, stops once however often it
/// is asked, closes every connection (<see cref="CloseReason.ServerShutdown"/>), waits for them until the drain
/// deadline, then resets the rest and waits for them to finish.
/// </summary>
internal sealed class ServerLifetime : IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationTokenSource _drainExpired = new();
    private readonly TaskCompletionSource _allClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _stopLock = new();
    private Task? _stopTask;
    private int _running;

    /// <summary>Cancelled when the server starts stopping.</summary>
    public CancellationToken Stopping => _stopping.Token;

    /// <summary>Cancelled when the drain deadline has passed; given to connections for <c>OnDisconnectedAsync</c>.</summary>
    public CancellationToken DrainExpired => _drainExpired.Token;

    public bool IsStopping => _stopping.IsCancellationRequested;

    /// <summary>A connection (or one being set up) is now running; stop waits for it.</summary>
    public void ConnectionStarted() => Interlocked.Increment(ref _running);

    /// <summary>A connection counted by <see cref="ConnectionStarted"/> has finished.</summary>
    public void ConnectionEnded()
    {
        if (Interlocked.Decrement(ref _running) == 0 && IsStopping)
        {
            _allClosed.TrySetResult();
        }
    }

    /// <summary>
    /// Stops once: <paramref name="stopIntake"/> (no new connections), then the drain of <paramref name="connections"/>,
    /// then <paramref name="afterDrain"/>. Later calls return the same task.
    /// </summary>
    public Task StopAsync(
        Func<Task> stopIntake,
        Func<IEnumerable<IOwnedConnection>> connections,
        TimeSpan drainTimeout,
        TimeProvider time,
        Func<Task> afterDrain,
        CancellationToken cancellationToken)
    {
        lock (_stopLock)
        {
            return _stopTask ??= StopCoreAsync(stopIntake, connections, drainTimeout, time, afterDrain, cancellationToken);
        }
    }

    public void Dispose()
    {
        _stopping.Dispose();
        _drainExpired.Dispose();
    }

    private async Task StopCoreAsync(
        Func<Task> stopIntake,
        Func<IEnumerable<IOwnedConnection>> connections,
        TimeSpan drainTimeout,
        TimeProvider time,
        Func<Task> afterDrain,
        CancellationToken cancellationToken)
    {
        // The drain deadline counts from here, not from when this method gets to wait: by then the peers may have had
        // their FIN for a while (and a test's fake clock may have passed the deadline already).
        var started = time.GetTimestamp();
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await stopIntake().ConfigureAwait(false);
            foreach (var connection in connections())
            {
                connection.TryClose(CloseReason.ServerShutdown, null);
            }

            if (Volatile.Read(ref _running) == 0)
            {
                _allClosed.TrySetResult();
            }

            try
            {
                var left = drainTimeout - time.GetElapsedTime(started);
                await _allClosed.Task.WaitAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero, time, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is TimeoutException or OperationCanceledException)
            {
                // The deadline: reset whatever is still open.
                await _drainExpired.CancelAsync().ConfigureAwait(false);
                foreach (var connection in connections())
                {
                    connection.Abort();
                }

                await _allClosed.Task.ConfigureAwait(false);
            }
        }
        finally
        {
            await afterDrain().ConfigureAwait(false);
        }
    }
}
