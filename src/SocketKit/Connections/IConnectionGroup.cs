namespace SocketKit.Connections;

/// <summary>The open connections of a server, for listing and broadcasting.</summary>
/// <typeparam name="TIn">The type of received messages.</typeparam>
/// <typeparam name="TOut">The type of sent messages.</typeparam>
public interface IConnectionGroup<TIn, TOut>
{
    /// <summary>A snapshot of the open connections.</summary>
    IReadOnlyCollection<Connection<TIn, TOut>> Connections { get; }

    /// <summary>
    /// Sends <paramref name="message"/> to every open connection that <paramref name="filter"/> accepts, each under
    /// its own send policy, and never waits for a slow one: a connection whose send buffer is full under
    /// <see cref="FullSendBufferPolicy.Wait"/> gets the message queued (in order) and follows its own write timeout,
    /// while the broadcast returns at once. Connections that are closing, or full under the fail-fast or disconnect
    /// policy, are skipped, not reported as errors.
    /// </summary>
    /// <param name="message">The message.</param>
    /// <param name="filter">Which connections get it; <see langword="null"/> for all.</param>
    /// <param name="cancellationToken">Checked before starting; queued copies are not cancelled by it (it is often the sender's own closing token).</param>
    /// <returns>The number of connections that took the message or queued it.</returns>
    ValueTask<int> BroadcastAsync(TOut message, Func<Connection<TIn, TOut>, bool>? filter = null, CancellationToken cancellationToken = default);
}
