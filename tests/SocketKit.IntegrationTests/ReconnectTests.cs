using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;
using SocketKit.Codecs;
using SocketKit.Connections;
using SocketKit.IntegrationTests.Infrastructure;
using SocketKit.Tcp;

namespace SocketKit.IntegrationTests;

[Collection(nameof(LoopbackTests))]
public sealed class ReconnectTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_dropped_connection_is_retried_with_backoff_and_seeded_jitter_and_notifications_come_in_order()
    {
        await using var server = await StartEchoAsync();
        await using var forwarder = new TcpForwarder(server.EndPoints[0]);
        var time = new FakeTimeProvider();
        var handler = new Recorder();
        var options = new ReconnectOptions { InitialDelay = TimeSpan.FromSeconds(1), MaxDelay = TimeSpan.FromSeconds(3), Multiplier = 2, Jitter = 0.2, JitterSeed = 7 };
        await using var client = new ReconnectingClient<string, string>(forwarder.EndPoint, Codec.Lines(), handler, options, new TcpConnectorOptions { TimeProvider = time });
        var expected = ExpectedDelays(options, 3);

        await client.StartAsync(Ct);
        Assert.Equal("connected", await handler.NextAsync());
        await forwarder.RefuseAsync();
        forwarder.DropAll();
        Assert.Equal("disconnected:PeerReset", await handler.NextAsync());
        Assert.Equal($"reconnecting:1:{expected[0].Ticks}", await handler.NextAsync());
        time.Advance(expected[0]); // the attempt is refused
        Assert.Equal($"reconnecting:2:{expected[1].Ticks}", await handler.NextAsync());
        time.Advance(expected[1]);
        Assert.Equal($"reconnecting:3:{expected[2].Ticks}", await handler.NextAsync()); // 4 s capped at 3 s, then jittered
        forwarder.Accept();
        time.Advance(expected[2]);
        Assert.Equal("connected", await handler.NextAsync());
        Assert.Equal("reconnected", await handler.NextAsync());

        await client.SendAsync("after the storm", Ct);
        Assert.Equal("message:after the storm", await handler.NextAsync());
        Assert.Equal(2, forwarder.Forwarded);
        Assert.InRange(expected[2].TotalSeconds, 2.4, 3.6);
    }

    [Fact]
    public async Task While_disconnected_a_send_fails_fast_or_waits_for_the_next_connection_by_policy()
    {
        await using var server = await StartEchoAsync();
        await using var forwarder = new TcpForwarder(server.EndPoints[0]);
        var time = new FakeTimeProvider();
        var waiting = new Recorder();
        var failing = new Recorder();
        var options = new ReconnectOptions { InitialDelay = TimeSpan.FromSeconds(1), Jitter = 0 };
        await using var patient = new ReconnectingClient<string, string>(forwarder.EndPoint, Codec.Lines(), waiting, options, new TcpConnectorOptions { TimeProvider = time });
        await using var impatient = new ReconnectingClient<string, string>(forwarder.EndPoint, Codec.Lines(), failing,
            new ReconnectOptions { InitialDelay = TimeSpan.FromSeconds(1), Jitter = 0, WhileDisconnected = DisconnectedSendPolicy.FailFast }, new TcpConnectorOptions { TimeProvider = time });
        await patient.StartAsync(Ct);
        await impatient.StartAsync(Ct);
        Assert.Equal("connected", await waiting.NextAsync());
        Assert.Equal("connected", await failing.NextAsync());

        await forwarder.RefuseAsync();
        forwarder.DropAll();
        Assert.StartsWith("reconnecting:1", await waiting.NextUntilAsync("reconnecting"));
        Assert.StartsWith("reconnecting:1", await failing.NextUntilAsync("reconnecting"));
        await Assert.ThrowsAsync<ConnectionClosedException>(async () => await impatient.SendAsync("now or never", Ct));
        var queued = patient.SendAsync("held until reconnected", Ct).AsTask();
        Assert.False(queued.IsCompleted);
        forwarder.Accept();
        time.Advance(TimeSpan.FromSeconds(1));

        await AsyncAssert.Within(queued, "the waiting send to go out on the new connection");
        Assert.Equal("message:held until reconnected", await waiting.NextUntilAsync("message"));
    }

    [Fact]
    public async Task After_max_attempts_the_client_gives_up()
    {
        await using var server = await StartEchoAsync();
        await using var forwarder = new TcpForwarder(server.EndPoints[0]);
        await forwarder.RefuseAsync();
        var time = new FakeTimeProvider();
        var handler = new Recorder();
        await using var client = new ReconnectingClient<string, string>(forwarder.EndPoint, Codec.Lines(), handler,
            new ReconnectOptions { InitialDelay = TimeSpan.FromSeconds(1), Jitter = 0, MaxAttempts = 2 }, new TcpConnectorOptions { TimeProvider = time });

        var start = client.StartAsync(Ct);
        Assert.Equal("reconnecting:1:10000000", await handler.NextAsync());
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("reconnecting:2:20000000", await handler.NextAsync());
        time.Advance(TimeSpan.FromSeconds(2));

        await Assert.ThrowsAsync<InvalidOperationException>(() => start);
        await AsyncAssert.Within(client.Completion, "the client to give up");
        Assert.Null(client.Current);
    }

    private static TimeSpan[] ExpectedDelays(ReconnectOptions options, int count)
    {
        var random = new Random(options.JitterSeed!.Value);
        return Enumerable.Range(1, count)
            .Select(attempt => TimeSpan.FromTicks((long)(options.BaseDelay(attempt).Ticks * (1 + (options.Jitter * ((random.NextDouble() * 2) - 1))))))
            .ToArray();
    }

    private static async Task<TcpServer<string, string>> StartEchoAsync()
    {
        var server = new TcpServer<string, string>(new TcpServerOptions { EndPoints = { Loopback.Any4 } }, Codec.Lines(),
            new ServerRecorder<string, string>(() => new() { OnMessage = (c, m, ct) => c.SendAsync(m, ct) }));
        await server.StartAsync(Ct);
        return server;
    }

    /// <summary>Records what the one handler hears, across all of the client's connections, in order.</summary>
    private sealed class Recorder : ReconnectHandler<string, string>
    {
        private readonly Channel<string> _events = Channel.CreateUnbounded<string>();

        public Task<string> NextAsync() => AsyncAssert.Within(_events.Reader.ReadAsync().AsTask(), "the next notification");

        public async Task<string> NextUntilAsync(string prefix)
        {
            while (true)
            {
                var next = await NextAsync();
                if (next.StartsWith(prefix, StringComparison.Ordinal))
                {
                    return next;
                }
            }
        }

        public override ValueTask OnConnectedAsync(Connection<string, string> connection, CancellationToken closing) => Record("connected");

        public override ValueTask OnMessageAsync(Connection<string, string> connection, string message, CancellationToken closing) => Record("message:" + message);

        public override ValueTask OnDisconnectedAsync(Connection<string, string> connection, CloseInfo closeInfo, CancellationToken cancellationToken) =>
            Record("disconnected:" + closeInfo.Reason);

        public override ValueTask OnReconnectingAsync(ReconnectAttempt attempt, CancellationToken stopping) =>
            Record(FormattableString.Invariant($"reconnecting:{attempt.Attempt}:{attempt.Delay.Ticks}"));

        public override ValueTask OnReconnectedAsync(Connection<string, string> connection, CancellationToken stopping) => Record("reconnected");

        private ValueTask Record(string what)
        {
            _events.Writer.TryWrite(what);
            return ValueTask.CompletedTask;
        }
    }
}
