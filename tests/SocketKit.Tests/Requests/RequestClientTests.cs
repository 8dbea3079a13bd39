using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;
using SocketKit.Codecs;
using SocketKit.Connections;
using SocketKit.Requests;
using SocketKit.Testing;

namespace SocketKit.Tests.Requests;

/// <summary>
/// Request/response correlation over an in-memory connection pair, with a line protocol whose lines start with the
/// request id: replies out of order, lost replies timing out on a fake clock, the bound, cancellation, and the
/// connection dropping with requests in flight.
/// </summary>
public class RequestClientTests
{
    /// <summary>The server side of the pattern: it answers each request with the request's id, when and in what order it likes.</summary>
    private sealed class HoldingServer : ConnectionHandler<string, string>
    {
        public ConcurrentQueue<string> Held { get; } = new();

        public TaskCompletionSource<int> Arrived { get; set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override ValueTask OnMessageAsync(Connection<string, string> connection, string request, CancellationToken closing)
        {
            Held.Enqueue(request);
            Arrived.TrySetResult(Held.Count);
            return ValueTask.CompletedTask;
        }

        public static ValueTask AnswerAsync(Connection<string, string> connection, string request) =>
            connection.SendAsync($"{request.Split(' ')[0]} re: {request[(request.IndexOf(' ', StringComparison.Ordinal) + 1)..]}");
    }

    private static async Task WaitForHeld(HoldingServer server, int count)
    {
        while (server.Held.Count < count)
        {
            server.Arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
            if (server.Held.Count < count)
            {
                await AsyncAssert.Within(server.Arrived.Task, $"{count} requests at the server");
            }
        }
    }

    [Fact]
    public async Task Replies_in_any_order_complete_their_own_requests()
    {
        var server = new HoldingServer();
        var (serverSide, client) = InMemoryConnection.CreatePair(Codec.Lines(), server, Codec.Lines(), clientHandler: null);
        await using var requests = new RequestClient<string, string>(client, new LineIds());

        var first = requests.SendAsync("first", TestContext.Current.CancellationToken);
        var second = requests.SendAsync("second", TestContext.Current.CancellationToken);
        var third = requests.SendAsync("third", TestContext.Current.CancellationToken);
        await WaitForHeld(server, 3);
        foreach (var request in server.Held.Reverse())
        {
            await HoldingServer.AnswerAsync(serverSide, request);
        }

        Assert.EndsWith("re: first", await AsyncAssert.Within(first, "the first reply"));
        Assert.EndsWith("re: second", await AsyncAssert.Within(second, "the second reply"));
        Assert.EndsWith("re: third", await AsyncAssert.Within(third, "the third reply"));
        Assert.Equal(0, requests.Outstanding);
    }

    [Fact]
    public async Task A_lost_reply_times_out_and_a_late_one_is_counted_as_unmatched()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var server = new HoldingServer();
        var (serverSide, client) = InMemoryConnection.CreatePair(Codec.Lines(), server, Codec.Lines(), clientHandler: null, timeProvider: time);
        await using var requests = new RequestClient<string, string>(client, new LineIds(), new RequestClientOptions { Timeout = TimeSpan.FromSeconds(5) }, time);

        var lost = requests.SendAsync("lost", TestContext.Current.CancellationToken);
        await WaitForHeld(server, 1);
        time.Advance(TimeSpan.FromSeconds(5));

        await Assert.ThrowsAsync<TimeoutException>(() => AsyncAssert.Within(lost, "the request's own timeout"));
        await HoldingServer.AnswerAsync(serverSide, server.Held.Single());
        var next = requests.SendAsync("next", TestContext.Current.CancellationToken);
        await WaitForHeld(server, 2);
        await HoldingServer.AnswerAsync(serverSide, server.Held.Last());
        Assert.EndsWith("re: next", await AsyncAssert.Within(next, "the next reply"));
        Assert.Equal(1, requests.UnmatchedResponses); // the late answer, which came before the next one's
    }

    [Fact]
    public async Task Every_request_in_flight_fails_with_the_close_reason_when_the_connection_drops()
    {
        var server = new HoldingServer();
        var (serverSide, client) = InMemoryConnection.CreatePair(Codec.Lines(), server, Codec.Lines(), clientHandler: null);
        await using var requests = new RequestClient<string, string>(client, new LineIds());

        var inFlight = Enumerable.Range(0, 5).Select(i => requests.SendAsync($"r{i}", TestContext.Current.CancellationToken)).ToArray();
        await WaitForHeld(server, 5);
        serverSide.Abort();

        foreach (var request in inFlight)
        {
            var error = await Assert.ThrowsAsync<ConnectionClosedException>(() => AsyncAssert.Within(request, "the failure"));
            Assert.Equal(CloseReason.PeerReset, error.CloseInfo.Reason);
        }

        var after = await Assert.ThrowsAsync<ConnectionClosedException>(() => requests.SendAsync("after", TestContext.Current.CancellationToken));
        Assert.Equal(CloseReason.PeerReset, after.CloseInfo.Reason);
    }

    [Fact]
    public async Task At_most_max_outstanding_requests_are_in_flight_and_a_cancelled_wait_frees_its_slot()
    {
        var server = new HoldingServer();
        var (serverSide, client) = InMemoryConnection.CreatePair(Codec.Lines(), server, Codec.Lines(), clientHandler: null);
        await using var requests = new RequestClient<string, string>(client, new LineIds(), new RequestClientOptions { MaxOutstanding = 2 });
        using var cancel = new CancellationTokenSource();

        var a = requests.SendAsync("a", TestContext.Current.CancellationToken);
        var b = requests.SendAsync("b", cancel.Token);
        var c = requests.SendAsync("c", TestContext.Current.CancellationToken);
        await WaitForHeld(server, 2);

        Assert.False(c.IsCompleted);
        Assert.Equal(2, requests.Outstanding);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => AsyncAssert.Within(b, "the cancellation"));
        await WaitForHeld(server, 3); // b's slot went to c
        foreach (var request in server.Held)
        {
            await HoldingServer.AnswerAsync(serverSide, request);
        }

        Assert.EndsWith("re: a", await AsyncAssert.Within(a, "a's reply"));
        Assert.EndsWith("re: c", await AsyncAssert.Within(c, "c's reply"));
        Assert.Equal(1, requests.UnmatchedResponses); // b's answer, after b gave up
    }
}
