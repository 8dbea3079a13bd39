using SocketKit.Codecs;
using SocketKit.Connections;
using SocketKit.Internal;

namespace SocketKit.Servers;

/// <summary>One message to many connections, for every server's <see cref="IConnectionGroup{TIn, TOut}.BroadcastAsync"/>.</summary>
internal static class Broadcast
{
    /// <summary>
    /// Encodes the message once, then starts a send to every connection the filter lets through and waits for none of
    /// them: a send that has to wait (for the connection's send lock, or for room under <see cref="FullSendBufferPolicy.Wait"/>)
    /// goes on in the background under that connection's own policy and write timeout, so one slow peer holds up nobody
    /// else. The encoded bytes are the broadcast's own (the message may refer to a buffer that is only valid during the
    /// caller's callback) and go back to the pool when the last send is done. Returns how many connections took the
    /// message or queued it.
    /// </summary>
    public static async ValueTask<int> SendAsync<TIn, TOut>(
        IEnumerable<Connection<TIn, TOut>> connections, IMessageEncoder<TOut> encoder, TOut message,
        Func<Connection<TIn, TOut>, bool>? filter, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var payload = new SharedPayload();
        try
        {
            encoder.Encode(message, payload.Buffer);
            var sent = 0;
            foreach (var connection in connections)
            {
                if (filter is not null && !filter(connection))
                {
                    continue;
                }

                // No token: the caller's (often its own connection's closing token) must not cancel other peers' copies.
                var send = connection.SendEncodedAsync(payload.Buffer.WrittenMemory, CancellationToken.None);
                if (send.IsCompletedSuccessfully)
                {
                    sent++;
                    continue;
                }

                if (send.IsCompleted)
                {
                    try
                    {
                        await send.ConfigureAwait(false); // failed at once: rethrows here, without waiting
                    }
                    catch (Exception e) when (e is ConnectionClosedException or SendBufferFullException)
                    {
                        // Closing, or full under FailFast or Disconnect: that connection's own policy at work.
                    }

                    continue;
                }

                sent++; // queued: it goes out under that connection's own policy
                payload.Hold();
                _ = ObserveAsync(send, payload);
            }

            return sent;
        }
        finally
        {
            payload.Release();
        }
    }

    /// <summary>A send still waiting: it ends by itself (taken, or the connection closes at its write timeout); its failure is expected, not lost.</summary>
    private static async Task ObserveAsync(ValueTask send, SharedPayload payload)
    {
        try
        {
            await send.ConfigureAwait(false);
        }
        catch (Exception e) when (e is ConnectionClosedException or SendBufferFullException or OperationCanceledException)
        {
            // The connection closed or filled while the send waited: its own policy decided.
        }
        finally
        {
            payload.Release();
        }
    }

    /// <summary>The encoded message, shared by every send of one broadcast; returned to the pool by the last one.</summary>
    private sealed class SharedPayload
    {
        private int _holders = 1;

        public PooledBufferWriter Buffer { get; } = new();

        public void Hold() => Interlocked.Increment(ref _holders);

        public void Release()
        {
            if (Interlocked.Decrement(ref _holders) == 0)
            {
                Buffer.Reset();
            }
        }
    }
}
