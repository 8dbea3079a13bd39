using System.Text;
using SocketKit.Codecs;
using SocketKit.Connections;
using SocketKit.Testing;

namespace SocketKit.Tests.Connections;

/// <summary>Pull mode (<c>ReadAllAsync</c>): ending an enumeration early leaves the connection usable, and a FIN is never missed.</summary>
public class ConnectionPullTests
{
    [Fact]
    public async Task Cancelling_an_enumeration_keeps_the_connection_open_and_the_next_one_continues_where_it_stopped()
    {
        var (connection, peer) = InMemoryConnection.CreateWithPeer(Codec.Lines(), handler: null);
        using var cancel = new CancellationTokenSource();
        await peer.WriteAsync(Encoding.UTF8.GetBytes("one\ntwo\nthree\n"));

        var seen = new List<string>();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var line in connection.ReadAllAsync(cancel.Token))
            {
                seen.Add(line);
                cancel.Cancel(); // after the first message; two more are already buffered
            }
        });

        Assert.Equal(["one"], seen);
        Assert.Equal(ConnectionState.Open, connection.State);
        await connection.SendAsync("still usable", TestContext.Current.CancellationToken);
        await peer.WriteAsync(Encoding.UTF8.GetBytes("four\n"));
        await peer.CompleteOutputAsync();
        await foreach (var line in connection.ReadAllAsync(TestContext.Current.CancellationToken))
        {
            seen.Add(line);
        }

        Assert.Equal(["one", "two", "three", "four"], seen);
        Assert.Equal(CloseReason.PeerClose, (await AsyncAssert.Within(connection.Completion, "the close after the FIN")).Reason);
        Assert.Equal("still usable\n", Encoding.UTF8.GetString(await AsyncAssert.Within(peer.ReadToEndAsync(), "the reply and the FIN")));
    }

    [Fact]
    public async Task A_fin_that_arrives_while_nobody_enumerates_closes_the_connection()
    {
        var (connection, peer) = InMemoryConnection.CreateWithPeer(Codec.Lines(), handler: null);
        using var cancel = new CancellationTokenSource();
        var first = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reading = Task.Run(async () =>
        {
            await foreach (var _ in connection.ReadAllAsync(cancel.Token))
            {
                first.TrySetResult();
            }
        });
        await peer.WriteAsync(Encoding.UTF8.GetBytes("hello\n"));
        await AsyncAssert.Within(first.Task, "the first message");
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => AsyncAssert.Within(reading, "the cancelled enumeration"));

        await peer.CompleteOutputAsync(); // nobody reads now

        Assert.Equal(CloseReason.PeerClose, (await AsyncAssert.Within(connection.Completion, "the FIN to be noticed")).Reason);
        Assert.Equal(ConnectionState.Closed, connection.State);
    }

    [Fact]
    public async Task A_second_enumeration_while_one_runs_is_refused()
    {
        var (connection, peer) = InMemoryConnection.CreateWithPeer(Codec.Lines(), handler: null);
        await using var first = connection.ReadAllAsync(TestContext.Current.CancellationToken).GetAsyncEnumerator(TestContext.Current.CancellationToken);
        var pending = first.MoveNextAsync();

        await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await foreach (var _ in connection.ReadAllAsync(TestContext.Current.CancellationToken))
            {
            }
        });

        await peer.WriteAsync(Encoding.UTF8.GetBytes("mine\n"));
        Assert.True(await AsyncAssert.Within(pending, "the first enumeration's message"));
        Assert.Equal("mine", first.Current);
        connection.Abort();
    }
}
