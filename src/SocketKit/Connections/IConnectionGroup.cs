namespace SocketKit.Connections;

/// <summary>The open connections of a server, for listing and broadcasting.</summary>
/// <typeparam name="TIn">The type of received messages.</typeparam>
/// <typeparam name="TOut">The type of sent messages.</typeparam>
public interface IConnectionGroup<TIn, TOut>
{
    /// <summary>A snapshot of the open connections.</summary>
    IReadOnlyCollection<Connection<TIn, TOut>> Connections { get; }

    /// <summary>
    /// Sends <paramref name="message"/> to every open connection that <paramref name="filter"/> accepts,
    /// each under its own send policy. Connections that are closing or whose buffer is full
    /// (fail-fast policy) are skipped, not reported as errors.
    /// </summary>
    /// <param name="message">The message.</param>
    /// <param name="filter">Which connections get it; <see langword="null"/> for all.</param>
    /// <param name="cancellationToken">Cancels waiting for buffer space.</param>
    /// <returns>The number of connections that accepted the message.</returns>
    ValueTask<int> BroadcastAsync(TOut message, Func<Connection<TIn, TOut>, bool>? filter = null, CancellationToken cancellationToken = default);
}
