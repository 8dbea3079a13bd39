using System.Buffers;
using System.Net;
using System.Text;
using SocketKit.Codecs;
using SocketKit.Connections;
using SocketKit.IntegrationTests.Infrastructure;
using SocketKit.Tcp;

namespace SocketKit.IntegrationTests;

[Collection(nameof(LoopbackTests))]
public class TcpEchoTests
{
    private static ReadOnlySequence<byte> Seq(string s) => new(Encoding.UTF8.GetBytes(s));

    [Fact]
    public async Task Connector_and_server_echo_with_matching_five_tuples()
    {
        await using var echo = await EchoServer.StartAsync();
        Assert.NotEqual(0, echo.EndPoint.Port);
        await using var client = await TcpConnector.ConnectAsync(echo.EndPoint, Codec.LengthPrefixed());
        var (serverSide, _) = await echo.Handler.NextConnectedAsync();
        Assert.Equal($"tcp 127.0.0.1:{echo.EndPoint.Port} <-> 127.0.0.1:{client.Tuple.LocalPort}", serverSide.Tuple.ToString());
        Assert.Equal(serverSide.Tuple.LocalEndPoint, client.Tuple.RemoteEndPoint);
        Assert.NotEqual(serverSide.Id, client.Id);

        await using var replies = client.ReadAllAsync().GetAsyncEnumerator();
        foreach (var text in new[] { "one", "", "three" })
        {
            await client.SendAsync(Seq(text));
            Assert.True(await AsyncAssert.Within(replies.MoveNextAsync(), "reply"));
            Assert.Equal(text, Encoding.UTF8.GetString(replies.Current));
        }
    }

    [Fact]
    public async Task Header_and_payload_come_back_byte_for_byte_to_a_plain_socket()
    {
        await using var echo = await EchoServer.StartAsync();
        using var raw = await RawClient.ConnectAsync(echo.EndPoint);
        var frames = Enumerable.Range(0, 5).Select(i => RawClient.Frame(Encoding.UTF8.GetBytes(new string('x', i * 100)))).ToArray();
        await raw.SendAsync(frames.SelectMany(f => f).ToArray()); // many frames in one write
        raw.ShutdownSend();
        Assert.Equal(frames.SelectMany(f => f).ToArray(), await raw.ReadToEndAsync());
    }

    [Fact]
    public async Task A_frame_larger_than_the_default_pipe_segment_completes()
    {
        await using var echo = await EchoServer.StartAsync();
        using var raw = await RawClient.ConnectAsync(echo.EndPoint);
        var payload = Enumerable.Range(0, 200 * 1024).Select(i => (byte)(i * 7)).ToArray(); // > 64 KiB + header
        await raw.SendFrameAsync(payload);
        Assert.Equal(payload, await raw.ReadFrameAsync());
    }

    [Fact]
    public async Task A_hundred_concurrent_clients_are_each_echoed_exactly()
    {
        await using var echo = await EchoServer.StartAsync();
        var clients = Enumerable.Range(0, 100).Select(c => Task.Run(async () =>
        {
            await using var client = await TcpConnector.ConnectAsync(echo.EndPoint, Codec.LengthPrefixed());
            await using var replies = client.ReadAllAsync().GetAsyncEnumerator();
            for (var i = 0; i < 20; i++)
            {
                var text = $"client {c} message {i}";
                await client.SendAsync(Seq(text));
                Assert.True(await replies.MoveNextAsync());
                Assert.Equal(text, Encoding.UTF8.GetString(replies.Current));
            }
        })).ToArray();
        await AsyncAssert.Within(Task.WhenAll(clients), "100 clients", 60);
        Assert.Equal(100, echo.Server.AcceptedConnections);
    }

    [Fact]
    public async Task Connector_resolves_a_host_name()
    {
        await using var echo = await EchoServer.StartAsync();
        await using var client = await TcpConnector.ConnectAsync(new DnsEndPoint("localhost", echo.EndPoint.Port), Codec.LengthPrefixed());
        Assert.True(IPAddress.IsLoopback(client.Tuple.RemoteAddress));
        Assert.Equal(echo.EndPoint.Port, client.Tuple.RemotePort);
    }

    [Fact]
    public async Task Connecting_to_a_closed_port_fails_with_a_socket_error()
    {
        int port;
        using (var probe = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp))
        {
            probe.Bind(Loopback.Any4);
            port = ((IPEndPoint)probe.LocalEndPoint!).Port;
        }

        var error = await Assert.ThrowsAsync<System.Net.Sockets.SocketException>(() =>
            AsyncAssert.Within(TcpConnector.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), Codec.LengthPrefixed()), "connect"));
        Assert.Equal(System.Net.Sockets.SocketError.ConnectionRefused, error.SocketErrorCode);
    }

    [Fact]
    public async Task Ipv6_loopback_and_dual_mode_report_plain_addresses()
    {
        Assert.SkipUnless(Loopback.HasIPv6, "This machine has no IPv6 loopback.");
        await using var dual = await EchoServer.StartAsync(new ServerRecorder<ReadOnlySequence<byte>, ReadOnlySequence<byte>>(EchoServer.Echoing),
            endPoint: new IPEndPoint(IPAddress.IPv6Any, 0));
        var port = dual.EndPoint.Port;

        await using var over6 = await TcpConnector.ConnectAsync(new IPEndPoint(IPAddress.IPv6Loopback, port), Codec.LengthPrefixed());
        var (server6, _) = await dual.Handler.NextConnectedAsync();
        Assert.Equal($"tcp [::1]:{port} <-> [::1]:{over6.Tuple.LocalPort}", server6.Tuple.ToString());

        await using var over4 = await TcpConnector.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), Codec.LengthPrefixed());
        var (server4, _) = await dual.Handler.NextConnectedAsync();
        Assert.Equal($"tcp 127.0.0.1:{port} <-> 127.0.0.1:{over4.Tuple.LocalPort}", server4.Tuple.ToString());

        await over4.SendAsync(Seq("mapped"));
        await using var replies = over4.ReadAllAsync().GetAsyncEnumerator();
        Assert.True(await AsyncAssert.Within(replies.MoveNextAsync(), "reply"));
        Assert.Equal("mapped", Encoding.UTF8.GetString(replies.Current));
    }

    [Fact]
    public async Task Broadcast_reaches_every_connection_the_filter_accepts()
    {
        await using var echo = await EchoServer.StartAsync();
        var clients = new List<Connection<ReadOnlySequence<byte>, ReadOnlySequence<byte>>>();
        for (var i = 0; i < 3; i++)
        {
            clients.Add(await TcpConnector.ConnectAsync(echo.EndPoint, Codec.LengthPrefixed()));
            await echo.Handler.NextConnectedAsync();
        }

        var excluded = clients[2].Tuple.LocalPort;
        var sent = await echo.Server.BroadcastAsync(Seq("news"), c => c.Tuple.RemotePort != excluded);
        Assert.Equal(2, sent);
        foreach (var client in clients.Take(2))
        {
            await using var replies = client.ReadAllAsync().GetAsyncEnumerator();
            Assert.True(await AsyncAssert.Within(replies.MoveNextAsync(), "broadcast"));
            Assert.Equal("news", Encoding.UTF8.GetString(replies.Current));
        }

        foreach (var client in clients)
        {
            await client.DisposeAsync();
        }
    }

    [Fact]
    public async Task Accepted_sockets_get_no_delay_keep_alive_and_the_configure_hook()
    {
        var configured = new TaskCompletionSource<(bool NoDelay, bool KeepAlive)>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var echo = await EchoServer.StartAsync(o =>
        {
            o.Socket.KeepAlive = true;
            o.Socket.KeepAliveTime = TimeSpan.FromSeconds(30);
            o.Socket.ConfigureSocket = s => configured.TrySetResult((s.NoDelay,
                (int)s.GetSocketOption(System.Net.Sockets.SocketOptionLevel.Socket, System.Net.Sockets.SocketOptionName.KeepAlive)! != 0));
        });
        using var raw = await RawClient.ConnectAsync(echo.EndPoint);
        var (noDelay, keepAlive) = await AsyncAssert.Within(configured.Task, "the configure hook");
        Assert.True(noDelay);
        Assert.True(keepAlive);
    }

    [Fact]
    public async Task A_server_starts_once()
    {
        await using var echo = await EchoServer.StartAsync();
        await Assert.ThrowsAsync<InvalidOperationException>(() => echo.Server.StartAsync());
    }
}
