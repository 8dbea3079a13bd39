using SocketKit.Connections;

namespace SocketKit.Internal;

/// <summary>One message to many connections, for every server's <see cref="IConnectionGroup{TIn, TOut}.BroadcastAsync"/>.</summary>
internal static class Broadcast
{
    public static async ValueTask<int> SendAsync<TIn, TOut>(
        IEnumerable<Connection<TIn, TOut>> connections, TOut message, Func<Connection<TIn, TOut>, bool>? filter, CancellationToken cancellationToken)
    {
        var delivered = 0;
        List<Task>? pending = null;
        foreach (var connection in connections)
        {
            if (filter is not null && !filter(connection))
            {
                continue;
            }

            // Start every send before awaiting any, so a waiting connection does not hold up the others.
            var send = SendOrSkip(connection, message, cancellationToken);
            if (send.IsCompletedSuccessfully)
            {
                delivered++;
            }
            else
            {
                (pending ??= new()).Add(send.AsTask());
            }
        }

        foreach (var send in pending ?? [])
        {
            try
            {
                await send.ConfigureAwait(false);
                delivered++;
            }
            catch (Exception e) when (e is ConnectionClosedException or SendBufferFullException)
            {
                // A closing or full connection is skipped: that is its own send policy at work.
            }
        }

        return delivered;

        static ValueTask SendOrSkip(Connection<TIn, TOut> connection, TOut message, CancellationToken ct)
        {
            try
            {
                return connection.SendAsync(message, ct);
            }
            catch (Exception e)
            {
                return ValueTask.FromException(e);
            }
        }
    }
}
