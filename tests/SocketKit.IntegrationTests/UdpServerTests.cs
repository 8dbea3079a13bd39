using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;
using SocketKit.Codecs;
using SocketKit.Connections;
using SocketKit.IntegrationTests.Infrastructure;
using SocketKit.Udp;

namespace SocketKit.IntegrationTests;

[Collection(nameof(LoopbackTests))]
public sealed class UdpServerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Each_peer_is_a_session_with_the_tcp_lifecycle_and_replies_reach_the_right_peer()
    {
        var recorder = new SessionRecorder();
        await using var server = await UdpTest.StartServerAsync(new UdpServerOptions(), recorder);
        using var alice = new Peer();
        using var bob = new Peer();

        await alice.SendAsync(server, "hi from alice");
        var connected = await recorder.NextAsync("alice's session");
        var message = await recorder.NextAsync("alice's message");
        await bob.SendAsync(server, "hi from bob");
        var bobConnected = await recorder.NextAsync("connected", "bob's session");
        await alice.SendAsync(server, "again");

        Assert.Equal("connected", connected.Kind);
        Assert.Equal(new FiveTuple(TransportProtocol.Udp, server.LocalEndPoint, alice.LocalEndPoint), connected.Tuple);
        Assert.Equal(("message", "hi from alice", connected.Id), (message.Kind, message.Detail, message.Id));
        Assert.Equal("re:hi from alice", await alice.ReceiveAsync());
        Assert.Equal("re:hi from bob", await bob.ReceiveAsync());
        Assert.Equal("re:again", await alice.ReceiveAsync());
        Assert.NotEqual(connected.Id, bobConnected.Id);
        Assert.Equal(2, server.Connections.Count);
        Assert.Equal(2, server.AcceptedSessions);
        Assert.Empty(recorder.Violations);
    }

    [Fact]
    public async Task A_handler_factory_that_throws_refuses_that_datagram_and_the_peers_next_one_opens_a_session()
    {
        var factory = new FailOnceFactory(new SessionRecorder());
        var options = new UdpServerOptions();
        options.Endpoint.LocalEndPoint = new IPEndPoint(IPAddress.Loopback, 0);
        await using var server = new UdpServer<string, string>(options, Utf8TextCodec.Instance, Utf8TextCodec.Instance, factory)
        {
            DestinationCheck = destination => Loopback.RequireUdpDestination(destination, options.Endpoint),
        };
        await server.StartAsync(Ct);
        using var alice = new Peer();

        await alice.SendAsync(server, "lost");
        await AsyncAssert.Within(factory.Threw, "the factory to throw");
        await alice.SendAsync(server, "kept"); // the receive loop carried on

        Assert.Equal("re:kept", await alice.ReceiveAsync());
        Assert.Equal(1, server.AcceptedSessions);
        Assert.Equal(1, server.RejectedDatagrams);
    }

    private sealed class FailOnceFactory(ConnectionHandler<string, string> handler) : IConnectionHandlerFactory<string, string>
    {
        private readonly TaskCompletionSource _threw = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Threw => _threw.Task;

        public ConnectionHandler<string, string> Create(FiveTuple tuple)
        {
            if (_threw.TrySetResult())
            {
                throw new InvalidOperationException("a bug in the application's handler factory");
            }

            return handler;
        }

        public ValueTask ReleaseAsync(ConnectionHandler<string, string> handler, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }

    [Fact]
    public async Task A_silent_session_expires_on_the_tick_and_the_peer_comes_back_as_a_new_one()
    {
        var time = new FakeTimeProvider();
        var recorder = new SessionRecorder();
        var options = new UdpServerOptions { Session = { IdleTimeout = TimeSpan.FromSeconds(10) }, TickInterval = TimeSpan.FromSeconds(1) };
        await using var server = await UdpTest.StartServerAsync(options, recorder, time);
        using var peer = new Peer();

        await peer.SendAsync(server, "one");
        var first = await recorder.NextAsync("connected", "the session");
        await recorder.NextAsync("message", "the message");
        // The reply's send stamps the session's last activity; let it land before the clock moves, or it would
        // carry the advanced time and the session would not be idle yet.
        await AsyncAssert.Within(first.Connection.FlushAsync(Ct), "the reply to be sent");
        time.Advance(TimeSpan.FromSeconds(10) + options.TickInterval + TimeSpan.FromMilliseconds(1));
        var expired = await recorder.NextAsync("disconnected", "the idle expiry");
        await peer.SendAsync(server, "two");
        var second = await recorder.NextAsync("connected", "the peer's next session");

        Assert.Equal(first.Id, expired.Id);
        Assert.Equal(nameof(CloseReason.IdleTimeout), expired.Detail);
        Assert.NotEqual(first.Id, second.Id);
        Assert.Equal(first.Tuple, second.Tuple);
        Assert.Equal("re:one", await peer.ReceiveAsync());
        Assert.Equal("re:two", await peer.ReceiveAsync());
        Assert.Empty(recorder.Violations);
    }

    [Fact]
    public async Task A_full_table_evicts_the_session_heard_from_least_recently()
    {
        var recorder = new SessionRecorder();
        await using var server = await UdpTest.StartServerAsync(new UdpServerOptions { MaxSessions = 2 }, recorder);
        using var a = new Peer();
        using var b = new Peer();
        using var c = new Peer();

        await a.SendAsync(server, "a1");
        var sessionA = await recorder.NextAsync("message", "a's message");
        await b.SendAsync(server, "b1");
        var sessionB = await recorder.NextAsync("message", "b's message");
        await a.SendAsync(server, "a2"); // a is now the most recent
        await recorder.NextAsync("message", "a's second message");
        await c.SendAsync(server, "c1");
        // Three events follow, in an order that differs between sessions: b's eviction, c's session and c's message.
        var events = new[] { await recorder.NextAsync("an event after c1"), await recorder.NextAsync("a second event"), await recorder.NextAsync("a third event") };
        var evicted = Assert.Single(events, e => e.Kind == "disconnected");
        Assert.Single(events, e => e.Kind == "message" && e.Detail == "c1");

        Assert.Equal(sessionB.Id, evicted.Id);
        Assert.Equal(nameof(CloseReason.Evicted), evicted.Detail);
        Assert.Equal(1, server.EvictedSessions);
        Assert.Equal(new[] { sessionA.Tuple.RemotePort, c.LocalEndPoint.Port }.Order(), server.Connections.Select(x => x.Tuple.RemotePort).Order());
        Assert.Empty(recorder.Violations);
    }

    [Fact]
    public async Task The_accept_filter_refuses_a_peer_before_any_callback()
    {
        var recorder = new SessionRecorder();
        using var refused = new Peer();
        using var welcome = new Peer();
        var options = new UdpServerOptions { AcceptFilter = (tuple, _) => ValueTask.FromResult(tuple.RemotePort != refused.LocalEndPoint.Port) };
        await using var server = await UdpTest.StartServerAsync(options, recorder);

        await refused.SendAsync(server, "let me in");
        await welcome.SendAsync(server, "hello");
        var first = await recorder.NextAsync("the first session");

        Assert.Equal(welcome.LocalEndPoint.Port, first.Tuple.RemotePort);
        Assert.Equal(1, server.RejectedDatagrams);
        Assert.Equal(1, server.AcceptedSessions);
    }

    [Fact]
    public async Task A_malformed_datagram_is_an_error_not_the_end_of_the_session()
    {
        var recorder = new SessionRecorder();
        await using var server = await UdpTest.StartServerAsync(new UdpServerOptions(), recorder);
        using var peer = new Peer();

        await peer.SendRawAsync(server, [0xC3, 0x28]);
        var connected = await recorder.NextAsync("connected", "the session");
        var error = await recorder.NextAsync("error", "the decode error");
        await peer.SendAsync(server, "still here");
        var message = await recorder.NextAsync("message", "the next message");

        Assert.Equal("MalformedFrameException", error.Detail);
        Assert.Equal(connected.Id, message.Id);
        Assert.Equal("re:still here", await peer.ReceiveAsync());
        Assert.Empty(recorder.Violations);
    }

    [Fact]
    public async Task A_session_closed_by_its_handler_ends_and_the_peer_can_start_another()
    {
        var recorder = new SessionRecorder
        {
            OnMessage = async (connection, message, ct) =>
            {
                await connection.SendAsync("bye", ct);
                connection.Close();
            },
        };
        await using var server = await UdpTest.StartServerAsync(new UdpServerOptions(), recorder);
        using var peer = new Peer();

        await peer.SendAsync(server, "one");
        var closed = await recorder.NextAsync("disconnected", "the close");
        await peer.SendAsync(server, "two");
        var next = await recorder.NextAsync("connected", "a new session");

        Assert.Equal(nameof(CloseReason.LocalClose), closed.Detail);
        Assert.NotEqual(closed.Id, next.Id);
        Assert.Equal("bye", await peer.ReceiveAsync()); // sent before the close: flushed, not dropped
    }

    [Fact]
    public async Task Stop_closes_every_session_after_its_replies_went_out()
    {
        var recorder = new SessionRecorder();
        var server = await UdpTest.StartServerAsync(new UdpServerOptions(), recorder);
        using var a = new Peer();
        using var b = new Peer();
        await a.SendAsync(server, "a");
        await b.SendAsync(server, "b");
        await recorder.NextAsync("message", "a message");
        await recorder.NextAsync("message", "the other message");

        await AsyncAssert.Within(server.StopAsync(Ct), "the stop");

        var reasons = new[] { await recorder.NextAsync("disconnected", "a disconnect"), await recorder.NextAsync("disconnected", "the other disconnect") };
        Assert.All(reasons, e => Assert.Equal(nameof(CloseReason.ServerShutdown), e.Detail));
        Assert.Equal("re:a", await a.ReceiveAsync());
        Assert.Equal("re:b", await b.ReceiveAsync());
        Assert.Empty(server.Connections);
        await server.DisposeAsync();
    }

    [Fact]
    public async Task Broadcast_reaches_every_session()
    {
        var recorder = new SessionRecorder();
        await using var server = await UdpTest.StartServerAsync(new UdpServerOptions(), recorder);
        using var a = new Peer();
        using var b = new Peer();
        await a.SendAsync(server, "a");
        await b.SendAsync(server, "b");
        await recorder.NextAsync("message", "a message");
        await recorder.NextAsync("message", "the other message");

        Assert.Equal(2, await server.BroadcastAsync("news", cancellationToken: Ct));

        Assert.Equal(["news", "re:a"], new[] { await a.ReceiveAsync(), await a.ReceiveAsync() }.Order());
        Assert.Equal(["news", "re:b"], new[] { await b.ReceiveAsync(), await b.ReceiveAsync() }.Order());
    }

    [Fact]
    public async Task A_connected_server_endpoint_is_refused_at_start()
    {
        var options = new UdpServerOptions { Endpoint = { RemoteEndPoint = new IPEndPoint(IPAddress.Loopback, 9) } };
        var server = new UdpServer<string, string>(options, SocketKit.Codecs.Utf8TextCodec.Instance, SocketKit.Codecs.Utf8TextCodec.Instance, new SessionRecorder());

        Assert.Equal(nameof(UdpServerOptions.Endpoint), (await Assert.ThrowsAsync<ArgumentException>(() => server.StartAsync(Ct))).ParamName);
    }

    /// <summary>A plain UDP socket on 127.0.0.1 playing a remote peer.</summary>
    private sealed class Peer : IDisposable
    {
        private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        private readonly byte[] _buffer = new byte[65536];

        public Peer() => _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));

        public IPEndPoint LocalEndPoint => (IPEndPoint)_socket.LocalEndPoint!;

        public Task SendAsync(UdpServer<string, string> server, string text) => SendRawAsync(server, UdpTest.Utf8(text));

        public async Task SendRawAsync(UdpServer<string, string> server, byte[] bytes)
        {
            Loopback.Require(server.LocalEndPoint.Address);
            await _socket.SendToAsync(bytes, SocketFlags.None, server.LocalEndPoint, Ct);
        }

        public async Task<string> ReceiveAsync()
        {
            var received = await AsyncAssert.Within(_socket.ReceiveAsync(_buffer, SocketFlags.None, Ct), "a datagram at the peer");
            return System.Text.Encoding.UTF8.GetString(_buffer, 0, received);
        }

        public void Dispose() => _socket.Dispose();
    }
}
