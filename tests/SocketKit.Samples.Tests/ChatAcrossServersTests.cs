using System.Net;
using System.Net.WebSockets;
using System.Text;
using Chat;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SocketKit.Proxy;
using SocketKit.Samples.Tests.Http;
using SocketKit.TestSupport.Services;

namespace SocketKit.Samples.Tests;

/// <summary>
/// The chat on several servers joined by a real redis-server: rooms, nicknames, /who, /msg and /whois span them, behind a
/// real haproxy sending the PROXY protocol; when Redis goes away each server keeps serving its own clients, says so, and
/// rejoins the others when it is back.
/// </summary>
[Collection(nameof(SampleTests))]
public sealed class ChatAcrossServersTests
{
    [Fact]
    public async Task Behind_haproxy_clients_of_two_servers_share_rooms_nicknames_and_private_messages_with_their_real_addresses()
    {
        await using var redis = await RedisProcess.StartAsync();
        await using var a = await ChatNode.StartAsync(redis.Address, trustLoopbackProxy: true);
        await using var b = await ChatNode.StartAsync(redis.Address, trustLoopbackProxy: true);
        var (haproxy, ports) = await HaproxyProcess.StartAsync(
            $"server a 127.0.0.1:{a.EndPoint.Port} send-proxy",
            $"server b 127.0.0.1:{b.EndPoint.Port} send-proxy-v2");
        await using var _ = haproxy;

        using var bob = await JoinAsync(ports[1], "bob");
        using var ann = await JoinAsync(ports[0], "ann");
        Assert.Equal("* ann joined lobby", await bob.ReadLineAsync()); // from server a, through Redis

        await SettleAsync(bob, "bob", ann); // ann may yet hear that bob joined: relayed, it can come after her own join

        await ann.WriteLineAsync("hello from a");
        Assert.Equal("[lobby] ann: hello from a", await ann.ReadLineAsync());
        Assert.Equal("[lobby] ann: hello from a", await bob.ReadLineAsync());
        await bob.WriteLineAsync("hello from b");
        Assert.Equal("[lobby] bob: hello from b", await bob.ReadLineAsync());
        Assert.Equal("[lobby] bob: hello from b", await ann.ReadLineAsync());

        using var impostor = await LineClient.ConnectAsync(new IPEndPoint(IPAddress.Loopback, ports[1]));
        await impostor.ReadLineAsync();
        await impostor.WriteLineAsync("/nick ANN");
        Assert.Equal("ERR nickname taken: ANN", await impostor.ReadLineAsync()); // held on the other server

        await ann.WriteLineAsync("/who");
        Assert.Equal("USERS lobby: ann, bob", await ann.ReadLineAsync());
        await bob.WriteLineAsync("/msg ann psst");
        Assert.Equal("[PM to ann] psst", await bob.ReadLineAsync());
        Assert.Equal("[PM] bob: psst", await ann.ReadLineAsync());

        // The real client's address and port reached each server through haproxy's PROXY header (v1 to a, v2 to b).
        await bob.WriteLineAsync("/whois ann");
        Assert.StartsWith($"WHOIS ann in lobby from {ann.LocalEndPoint} on ", await bob.ReadLineAsync());
        await bob.WriteLineAsync("/whois bob");
        Assert.Equal($"WHOIS bob in lobby from {bob.LocalEndPoint} on this server", await bob.ReadLineAsync());

        await ann.WriteLineAsync("/join games");
        Assert.Equal("* ann left lobby", await bob.ReadLineAsync());
        Assert.Equal("* ann joined games", await ann.ReadLineAsync());
        await bob.WriteLineAsync("/rooms");
        Assert.Equal("ROOMS games (1), lobby (1)", await bob.ReadLineAsync());
        await ann.WriteLineAsync("/quit");
        Assert.Equal("BYE", await ann.ReadLineAsync());
        await bob.WriteLineAsync("/who");
        Assert.Equal("USERS lobby: bob", await bob.ReadLineAsync());
    }

    [Fact]
    public async Task Without_redis_each_server_keeps_its_own_clients_talking_says_so_and_rejoins_when_it_is_back()
    {
        var redis = await RedisProcess.StartAsync();
        await using var a = await ChatNode.StartAsync(redis.Address);
        await using var b = await ChatNode.StartAsync(redis.Address);
        // Each joins after the ones before are in: a join relayed from the other server can arrive after a later local one.
        using var bob = await JoinAsync(b.EndPoint.Port, "bob");
        using var ann = await JoinAsync(a.EndPoint.Port, "ann");
        Assert.Equal("* ann joined lobby", await bob.ReadLineAsync());
        using var cat = await JoinAsync(a.EndPoint.Port, "cat");
        Assert.Equal("* cat joined lobby", await bob.ReadLineAsync());
        await SettleAsync(bob, "bob", ann, cat);

        await redis.DisposeAsync(); // SIGTERM by its PID
        foreach (var client in new[] { ann, cat, bob })
        {
            Assert.Equal(RedisChatBackplane.CutOffNotice, await client.ReadLineAsync());
        }

        await ann.WriteLineAsync("only server a hears this");
        Assert.Equal("[lobby] ann: only server a hears this", await cat.ReadLineAsync());
        Assert.Equal("[lobby] ann: only server a hears this", await ann.ReadLineAsync());
        await ann.WriteLineAsync("/who");
        Assert.Equal("USERS lobby (this server only: the others are unreachable): ann, cat", await ann.ReadLineAsync());
        await ann.WriteLineAsync("/msg bob are you there?");
        Assert.Equal("ERR no such nickname on this server, and the other servers are unreachable: bob", await ann.ReadLineAsync());

        await using var back = await RedisProcess.StartAsync(redis.Port); // empty: each server must claim its members again
        foreach (var client in new[] { ann, cat, bob })
        {
            Assert.Equal(RedisChatBackplane.ReconnectedNotice, await client.ReadLineAsync()); // bob heard nothing from a meanwhile
        }

        await ann.WriteLineAsync("back together");
        Assert.Equal("[lobby] ann: back together", await bob.ReadLineAsync());
        Assert.Equal("[lobby] ann: back together", await cat.ReadLineAsync());
        await bob.WriteLineAsync("/who");
        Assert.Equal("USERS lobby: ann, bob, cat", await bob.ReadLineAsync());
        await bob.WriteLineAsync("/msg cat welcome back");
        Assert.Equal("[PM] bob: welcome back", await cat.ReadLineAsync());
    }

    [Fact]
    public async Task A_nickname_taken_on_both_sides_of_an_outage_goes_to_one_and_the_other_is_asked_to_pick_again()
    {
        var redis = await RedisProcess.StartAsync();
        await using var a = await ChatNode.StartAsync(redis.Address);
        await using var b = await ChatNode.StartAsync(redis.Address);
        using var other = await JoinAsync(b.EndPoint.Port, "zed");
        using var ann = await JoinAsync(a.EndPoint.Port, "ann");
        Assert.Equal("* ann joined lobby", await other.ReadLineAsync());
        await SettleAsync(other, "zed", ann);
        await redis.DisposeAsync();
        Assert.Equal(RedisChatBackplane.CutOffNotice, await ann.ReadLineAsync());
        Assert.Equal(RedisChatBackplane.CutOffNotice, await other.ReadLineAsync()); // server b knows it is cut off

        await other.WriteLineAsync("/nick ann"); // server b cannot ask server a: allowed for now
        Assert.Equal("* zed is now ann", await other.ReadLineAsync());
        await using var back = await RedisProcess.StartAsync(redis.Port);

        // Whichever server claims it first keeps it and tells its member it is back; the other's member is told to pick
        // again (that is its notice), and hears nothing from the rooms until it does.
        var firstLines = new[] { await ann.ReadLineAsync(), await other.ReadLineAsync() };
        Assert.True(firstLines.Contains(RedisChatBackplane.ReconnectedNotice), string.Join(" | ", firstLines));
        var loser = Assert.Single(firstLines, line => line!.StartsWith("ERR while this server was cut off, ann was taken on another server: pick a nickname again", StringComparison.Ordinal));
        var (keeper, asked) = firstLines[0] == loser ? (other, ann) : (ann, other);
        await asked.WriteLineAsync("/who");
        Assert.Equal("ERR pick a nickname first: /nick NAME", await asked.ReadLineAsync());
        await asked.WriteLineAsync("/nick ann2");
        Assert.Equal("* ann2 joined lobby", await asked.ReadLineAsync());
        Assert.Equal("* ann2 joined lobby", await keeper.ReadLineAsync());
        await keeper.WriteLineAsync("/who");
        Assert.Equal("USERS lobby: ann, ann2", await keeper.ReadLineAsync());
    }

    [Fact]
    public async Task A_browser_websocket_on_the_http_server_and_a_line_client_on_the_chat_server_talk_through_redis()
    {
        await using var redis = await RedisProcess.StartAsync();
        await using var http = await HttpServerFixture.StartAsync();
        await using var webBackplane = new RedisChatBackplane(http.Hub, redis.Address, NullLogger<RedisChatBackplane>.Instance);
        await webBackplane.StartAsync(TestContext.Current.CancellationToken);
        await using var chat = await ChatNode.StartAsync(redis.Address);

        using var tab = new ClientWebSocket();
        await AsyncAssert.Within(tab.ConnectAsync(new Uri($"ws://127.0.0.1:{http.EndPoint.Port}/chat/ws"), TestContext.Current.CancellationToken), "the WebSocket handshake");
        Assert.StartsWith("Welcome", await ReceiveAsync(tab));
        await SendAsync(tab, "/nick web");
        Assert.Equal("* web joined lobby", await ReceiveAsync(tab));

        using var line = await JoinAsync(chat.EndPoint.Port, "line");
        Assert.Equal("* line joined lobby", await ReceiveAsync(tab));
        await SendAsync(tab, "hi from the browser");
        Assert.Equal("[lobby] web: hi from the browser", await ReceiveAsync(tab));
        await line.ReadUntilAsync("[lobby] web: hi from the browser"); // after the relayed "* web joined lobby", if that came late
        await line.WriteLineAsync("/msg web hi from nc");
        Assert.Equal("[PM] line: hi from nc", await ReceiveAsync(tab));
        Assert.Equal("[PM to web] hi from nc", await line.ReadLineAsync());
    }

    /// <summary>
    /// Waits until everything the speaker's server relayed so far has reached the listeners: the speaker says a line, and
    /// each reads up to it (a server's lines arrive in the order it published them). Lines before it are skipped.
    /// </summary>
    private static async Task SettleAsync(LineClient speaker, string nick, params LineClient[] listeners)
    {
        await speaker.WriteLineAsync("settle");
        foreach (var client in listeners.Prepend(speaker))
        {
            await client.ReadUntilAsync($"[lobby] {nick}: settle");
        }
    }

    private static async Task<LineClient> JoinAsync(int port, string nick)
    {
        var client = await LineClient.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        Assert.StartsWith("Welcome", await client.ReadLineAsync());
        await client.WriteLineAsync($"/nick {nick}");
        // A join on the other server reaches this one through Redis whenever it does: it may come after the new member
        // is in the lobby, before the member's own join line.
        string? line;
        while ((line = await client.ReadLineAsync()) != $"* {nick} joined lobby")
        {
            Assert.True(line is not null && line.StartsWith("* ", StringComparison.Ordinal) && line.EndsWith(" joined lobby", StringComparison.Ordinal),
                $"before its own join, {nick} heard \"{line}\"");
        }

        return client;
    }

    private static Task SendAsync(ClientWebSocket socket, string text) =>
        AsyncAssert.Within(socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None), "a WebSocket send");

    private static async Task<string> ReceiveAsync(ClientWebSocket socket)
    {
        var buffer = new byte[4096];
        var message = new MemoryStream();
        ValueWebSocketReceiveResult result;
        do
        {
            result = await AsyncAssert.Within(socket.ReceiveAsync(buffer.AsMemory(), CancellationToken.None).AsTask(), "a WebSocket message");
            message.Write(buffer, 0, result.Count);
        }
        while (!result.EndOfMessage);

        return Encoding.UTF8.GetString(message.ToArray());
    }

    /// <summary>One chat server process's worth, in this process: its own host, hub and backplane, on a free loopback port.</summary>
    private sealed class ChatNode(IHost host) : IAsyncDisposable
    {
        public IPEndPoint EndPoint => host.Server().EndPoints[0];

        public static async Task<ChatNode> StartAsync(string redis, bool trustLoopbackProxy = false)
        {
            var host = ChatServer.CreateHost(new IPEndPoint(IPAddress.Loopback, 0), LogLevel.Warning, redis: redis, configure: options =>
            {
                if (trustLoopbackProxy)
                {
                    options.ProxyProtocol = new ProxyProtocolOptions { TrustedProxies = { IPNetwork.Parse("127.0.0.0/8") } };
                }
            });
            await host.StartAsync(TestContext.Current.CancellationToken);
            Assert.True(host.Services.GetRequiredService<RedisChatBackplane>().IsOnline, "the server did not join the others through Redis at start");
            return new ChatNode(host);
        }

        public async ValueTask DisposeAsync()
        {
            await host.StopAsync(CancellationToken.None);
            host.Dispose();
        }
    }
}
