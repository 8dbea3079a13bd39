using System.Collections.Concurrent;
using System.Threading.Channels;
using SocketKit.Codecs;
using SocketKit.Connections;
using SocketKit.Requests;
using SocketKit.Testing;

namespace SocketKit.Tests.Requests;

/// <summary>
/// The server side of request/response against a <see cref="RequestClient{TRequest, TResponse}"/>: requests handled
/// side by side and answered as each finishes, the per-connection bound holding up reading, a request without an id,
/// a failing request (closing, or answered as an error), and the connection closing with requests running.
/// </summary>
public class RequestHandlerTests
{
    /// <summary>Answers "re: TEXT" once the test releases that request's text; "fail" throws.</summary>
    private sealed class GatedServer(int max = 16, bool answerFailures = false) : RequestHandler<string, string>(new LineIds(), max)
    {
        private readonly ConcurrentDictionary<string, TaskCompletionSource> _gates = new();

        public Channel<string> Events { get; } = Channel.CreateUnbounded<string>();

        public void Release(string text)
        {
            Events.Writer.TryWrite($"release {text}");
            Gate(text).TrySetResult();
        }

        protected override async ValueTask<string> HandleAsync(Connection<string, string> connection, string request, CancellationToken cancellationToken)
        {
            var text = request[(request.IndexOf(' ', StringComparison.Ordinal) + 1)..];
            Events.Writer.TryWrite($"start {text}");
            try
            {
                await Gate(text).Task.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                Events.Writer.TryWrite($"cancelled {text}");
                throw;
            }

            return text == "fail" ? throw new InvalidOperationException("boom") : $"re: {text}";
        }

        protected override bool TryAnswerFailure(string request, Exception error, out string response)
        {
            response = $"error: {error.Message}";
            return answerFailures;
        }

        private TaskCompletionSource Gate(string text) => _gates.GetOrAdd(text, _ => new(TaskCreationOptions.RunContinuationsAsynchronously));
    }

    /// <summary>The server's connection and a request client on the other end of an in-memory pair.</summary>
    private static (Connection<string, string> ServerSide, RequestClient<string, string> Requests) Connect(GatedServer server)
    {
        var (serverSide, client) = InMemoryConnection.CreatePair(Codec.Lines(), server, Codec.Lines(), clientHandler: null);
        return (serverSide, new RequestClient<string, string>(client, new LineIds()));
    }

    private static async Task<string> NextEventAsync(GatedServer server) =>
        await AsyncAssert.Within(server.Events.Reader.ReadAsync(TestContext.Current.CancellationToken).AsTask(), "the next event at the server");

    /// <summary>The next two events, sorted: requests start on tasks of their own, so which starts first is not defined.</summary>
    private static async Task<string[]> NextTwoEventsAsync(GatedServer server) =>
        [.. new[] { await NextEventAsync(server), await NextEventAsync(server) }.Order(StringComparer.Ordinal)];

    [Fact]
    public async Task Requests_run_side_by_side_and_each_answer_goes_back_with_its_id_as_it_finishes()
    {
        var server = new GatedServer();
        var (_, requests) = Connect(server);
        await using var _ = requests;

        var slow = requests.SendAsync("slow", TestContext.Current.CancellationToken);
        var quick = requests.SendAsync("quick", TestContext.Current.CancellationToken);
        Assert.Equal(["start quick", "start slow"], await NextTwoEventsAsync(server)); // the slow one did not hold it up
        server.Release("quick");

        Assert.EndsWith("re: quick", await AsyncAssert.Within(quick, "the quick answer"));
        Assert.False(slow.IsCompleted);
        server.Release("slow");
        Assert.EndsWith("re: slow", await AsyncAssert.Within(slow, "the slow answer"));
    }

    [Fact]
    public async Task Beyond_the_bound_the_next_request_waits_for_one_to_finish()
    {
        var server = new GatedServer(max: 2);
        var (_, requests) = Connect(server);
        await using var _ = requests;

        var answers = new[] { "a", "b", "c" }.Select(text => requests.SendAsync(text, TestContext.Current.CancellationToken)).ToArray();
        Assert.Equal(["start a", "start b"], await NextTwoEventsAsync(server));
        server.Release("a");

        Assert.Equal("release a", await NextEventAsync(server)); // c had not started before a slot came free
        Assert.Equal("start c", await NextEventAsync(server));
        server.Release("b");
        server.Release("c");
        Assert.Equal(["0 re: a", "0 re: b", "0 re: c"], (await AsyncAssert.Within(Task.WhenAll(answers), "every answer")).Select(a => "0" + a[a.IndexOf(' ', StringComparison.Ordinal)..]));
    }

    [Fact]
    public async Task A_request_without_an_id_closes_the_connection_as_a_protocol_error()
    {
        var server = new GatedServer();
        var (serverSide, client) = InMemoryConnection.CreatePair(Codec.Lines(), server, Codec.Lines(), clientHandler: null);

        await client.SendAsync("no id here", TestContext.Current.CancellationToken);

        var closed = await AsyncAssert.Within(serverSide.Completion, "the server side to close");
        Assert.Equal(CloseReason.ProtocolError, closed.Reason);
        Assert.IsType<MalformedFrameException>(closed.Exception);
    }

    [Fact]
    public async Task A_failing_request_closes_the_connection_as_a_handler_error_unless_it_is_answered()
    {
        var closing = new GatedServer();
        var (serverSide, requests) = Connect(closing);
        await using (requests)
        {
            var failed = requests.SendAsync("fail", TestContext.Current.CancellationToken);
            closing.Release("fail");

            var closed = await AsyncAssert.Within(serverSide.Completion, "the server side to close");
            Assert.Equal(CloseReason.HandlerError, closed.Reason);
            Assert.Equal("boom", closed.Exception!.Message);
            await Assert.ThrowsAsync<ConnectionClosedException>(() => AsyncAssert.Within(failed, "the request to fail"));
        }

        var answering = new GatedServer(answerFailures: true);
        var (_, requests2) = Connect(answering);
        await using var __ = requests2;
        var answered = requests2.SendAsync("fail", TestContext.Current.CancellationToken);
        var next = requests2.SendAsync("next", TestContext.Current.CancellationToken);
        answering.Release("fail");
        answering.Release("next");

        Assert.EndsWith("error: boom", await AsyncAssert.Within(answered, "the error answer"));
        Assert.EndsWith("re: next", await AsyncAssert.Within(next, "the next answer on the same connection"));
    }

    [Fact]
    public async Task Requests_running_when_the_connection_closes_are_cancelled()
    {
        var server = new GatedServer();
        var (serverSide, requests) = Connect(server);
        await using var _ = requests;
        var pending = requests.SendAsync("forever", TestContext.Current.CancellationToken);
        Assert.Equal("start forever", await NextEventAsync(server));

        serverSide.Close();

        Assert.Equal("cancelled forever", await NextEventAsync(server));
        await Assert.ThrowsAsync<ConnectionClosedException>(() => AsyncAssert.Within(pending, "the client's request to fail"));
    }
}
