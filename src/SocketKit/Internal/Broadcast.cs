using SocketKit.Connections;

namespace SocketKit.Internal;

/// <summary>One message to many connections, for every server's <see cref="IConnectionGroup{TIn, TOut}.BroadcastAsync"/>.</summary>
internal static class Broadcast
{
    /// <summary>
    /// Starts a send to every connection the filter lets through and waits for none of them: a send that has to wait
    /// (for the connection's send lock, or for room under <see cref="FullSendBufferPolicy.Wait"/>) goes on in the
    /// background under that connection's own policy and write timeout, so one slow peer holds up nobody else.
    /// Returns how many connections took the message or queued it.
    /// </summary>
    public static int Send<TIn, TOut>(
        IEnumerable<Connection<TIn, TOut>> connections, TOut message, Func<Connection<TIn, TOut>, bool>? filter, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var sent = 0;
        foreach (var connection in connections)
        {
            if (filter is not null && !filter(connection))
            {
                continue;
            }

            ValueTask send;
            try
            {
                // No token: the caller's (often its own connection's closing token) must not cancel other peers' copies.
                send = connection.SendAsync(message, CancellationToken.None);
            }
            catch (Exception e) when (e is ConnectionClosedException or SendBufferFullException)
            {
                continue; // closing, or full under FailFast: that connection's own policy at work
            }

            if (send.IsCompletedSuccessfully)
            {
                sent++;
            }
            else if (send.IsCompleted)
            {
                Observe(send); // failed at once (closing, full under FailFast or Disconnect)
            }
            else
            {
                sent++;
                _ = ObserveAsync(send);
            }
        }

        return sent;
    }

    private static void Observe(ValueTask send)
    {
        try
        {
            send.GetAwaiter().GetResult(); // completed: this does not block
        }
        catch (Exception e) when (e is ConnectionClosedException or SendBufferFullException)
        {
            // Skipped: that connection's own send policy at work.
        }
    }

    /// <summary>A send still waiting: it ends by itself (taken, or the connection closes at its write timeout); its failure is expected, not lost.</summary>
    private static async Task ObserveAsync(ValueTask send)
    {
        try
        {
            await send.ConfigureAwait(false);
        }
        catch (Exception e) when (e is ConnectionClosedException or SendBufferFullException or OperationCanceledException)
        {
            // The connection closed or filled while the send waited: its own policy decided.
        }
    }
}
