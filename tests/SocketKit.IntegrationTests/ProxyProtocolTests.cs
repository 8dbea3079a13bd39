using System.Net;
using System.Text;
using SocketKit.IntegrationTests.Infrastructure;
using SocketKit.Proxy;
using SocketKit.Tcp;

namespace SocketKit.IntegrationTests;

/// <summary>
/// A server behind a load balancer on loopback: the PROXY header is read before the codec, the connection becomes
/// the client's, limits and the filter see the client, and a bad, slow or untrusted header resets only its connection.
/// </summary>
[Collection(nameof(LoopbackTests))]
public class ProxyProtocolTests
{
    private static void TrustLoopback(TcpServerOptions options) =>
        options.ProxyProtocol = new ProxyProtocolOptions { TrustedProxies = { IPNetwork.Parse("127.0.0.0/8") } };

    private static byte[] V1(string client, int port) => Encoding.ASCII.GetBytes($"PROXY TCP4 {client} 198.51.100.1 {port} 443\r\n");

    [Fact]
    public async Task A_v1_header_makes_the_connection_the_clients_and_what_follows_reaches_the_codec()
    {
        await using var echo = await EchoServer.StartAsync(TrustLoopback);
        using var proxy = await RawClient.ConnectAsync(echo.EndPoint);

        await proxy.SendAsync([.. V1("203.0.113.7", 51234), .. RawClient.Frame("hello"u8.ToArray())]);

        Assert.Equal("hello"u8.ToArray(), await proxy.ReadFrameAsync());
        var (connection, _) = await AsyncAssert.Within(echo.Handler.NextConnectedAsync(), "the connection");
        Assert.Equal(new IPEndPoint(IPAddress.Parse("203.0.113.7"), 51234), connection.Tuple.RemoteEndPoint);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("198.51.100.1"), 443), connection.Tuple.LocalEndPoint);
        Assert.Equal(proxy.LocalEndPoint, connection.ProxyTuple!.Value.RemoteEndPoint);
        Assert.Equal(1, connection.Proxy!.Version);
    }

    [Fact]
    public async Task A_v2_header_split_across_writes_with_tlvs_reaches_the_handler()
    {
        await using var echo = await EchoServer.StartAsync(TrustLoopback);
        using var proxy = await RawClient.ConnectAsync(echo.EndPoint);
        byte[] header =
        [
            0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, 0x21, 0x11, 0x00, 0x11,
            203, 0, 113, 9, 198, 51, 100, 1, 0xC8, 0x01, 0x01, 0xBB,
            0x01, 0x00, 0x02, (byte)'h', (byte)'2',
        ];

        await proxy.SendAsync(header[..7]);
        await proxy.SendAsync([.. header[7..], .. RawClient.Frame("after"u8.ToArray())]);

        Assert.Equal("after"u8.ToArray(), await proxy.ReadFrameAsync());
        var (connection, _) = await AsyncAssert.Within(echo.Handler.NextConnectedAsync(), "the connection");
        Assert.Equal("203.0.113.9:51201", connection.Tuple.RemoteEndPoint.ToString());
        Assert.Equal("h2", connection.Proxy!.Alpn);
    }

    [Fact]
    public async Task The_header_comes_before_the_tls_handshake()
    {
        var recorder = new ServerRecorder<string, string>(() => new() { OnMessage = (c, m, ct) => c.SendAsync(m, ct) });
        var options = new TcpServerOptions { EndPoints = { Loopback.Any4 }, Tls = new Tls.TlsServerOptions { Certificate = TestCertificates.Create("localhost") } };
        TrustLoopback(options);
        await using var server = new TcpServer<string, string>(options, Codecs.Codec.Lines(), recorder);
        await server.StartAsync(TestContext.Current.CancellationToken);
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        await socket.ConnectAsync(server.EndPoints[0], TestContext.Current.CancellationToken);
        await socket.SendAsync(V1("203.0.113.7", 4242), System.Net.Sockets.SocketFlags.None);

        await using var tls = new System.Net.Security.SslStream(new System.Net.Sockets.NetworkStream(socket), leaveInnerStreamOpen: false, (_, certificate, _, _) => certificate?.Subject == "CN=localhost");
        await AsyncAssert.Within(tls.AuthenticateAsClientAsync("localhost"), "the TLS handshake after the header");
        await tls.WriteAsync("secret\n"u8.ToArray(), TestContext.Current.CancellationToken);
        var reply = new byte[7];
        await AsyncAssert.Within(tls.ReadExactlyAsync(reply, TestContext.Current.CancellationToken), "the echo over TLS");

        Assert.Equal("secret\n", Encoding.ASCII.GetString(reply));
        var (connection, _) = await AsyncAssert.Within(recorder.NextConnectedAsync(), "the connection");
        Assert.Equal("203.0.113.7:4242", connection.Tuple.RemoteEndPoint.ToString());
        Assert.NotNull(connection.Tls);
    }

    [Fact]
    public async Task A_local_header_keeps_the_proxys_own_addresses()
    {
        await using var echo = await EchoServer.StartAsync(TrustLoopback);
        using var proxy = await RawClient.ConnectAsync(echo.EndPoint);

        await proxy.SendAsync([.. "PROXY UNKNOWN\r\n"u8, .. RawClient.Frame("health"u8.ToArray())]);

        Assert.Equal("health"u8.ToArray(), await proxy.ReadFrameAsync());
        var (connection, _) = await AsyncAssert.Within(echo.Handler.NextConnectedAsync(), "the connection");
        Assert.Equal(proxy.LocalEndPoint, connection.Tuple.RemoteEndPoint);
        Assert.True(connection.Proxy!.IsLocal);
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\n\r\n")]
    [InlineData("PROXY TCP4 203.0.113.7 198.51.100.1 99999 443\r\n")]
    [InlineData("PROXY TCP4 203.0.113.7 198.51.100.1 1 443\n")]
    public async Task A_malformed_header_resets_only_its_connection(string start)
    {
        await using var echo = await EchoServer.StartAsync(TrustLoopback);
        using var bad = await RawClient.ConnectAsync(echo.EndPoint);
        using var good = await RawClient.ConnectAsync(echo.EndPoint);

        await bad.SendAsync(Encoding.ASCII.GetBytes(start));
        await good.SendAsync([.. V1("203.0.113.7", 1), .. RawClient.Frame("fine"u8.ToArray())]);

        Assert.Equal("reset", await bad.WaitForEndAsync());
        Assert.Equal("fine"u8.ToArray(), await good.ReadFrameAsync());
        Assert.Equal(1, echo.Server.RejectedConnections);
        Assert.Equal(1, echo.Server.AcceptedConnections);
    }

    [Fact]
    public async Task A_connection_from_an_untrusted_address_is_refused_before_it_is_read()
    {
        await using var echo = await EchoServer.StartAsync(o => o.ProxyProtocol = new ProxyProtocolOptions { TrustedProxies = { IPNetwork.Parse("10.0.0.0/8") } });
        // The server resets it as soon as it is accepted, before reading: so fast that the connect itself may report it.
        Assert.Equal("reset", await RawClient.ConnectExpectingRefusalAsync(echo.EndPoint));
        Assert.Equal(1, echo.Server.RejectedConnections);
        Assert.Equal(0, echo.Server.AcceptedConnections);
    }

    [Fact]
    public async Task The_per_address_limit_and_the_accept_filter_apply_to_the_client_not_the_proxy()
    {
        FiveTuple? filtered = null;
        await using var echo = await EchoServer.StartAsync(o =>
        {
            TrustLoopback(o);
            o.MaxConnectionsPerAddress = 1;
            o.AcceptFilter = (tuple, _) =>
            {
                filtered = tuple;
                return ValueTask.FromResult(tuple.RemoteAddress.ToString() != "192.0.2.66");
            };
        });
        using var ann = await RawClient.ConnectAsync(echo.EndPoint);
        using var bob = await RawClient.ConnectAsync(echo.EndPoint);
        using var annAgain = await RawClient.ConnectAsync(echo.EndPoint);
        using var banned = await RawClient.ConnectAsync(echo.EndPoint);

        await ann.SendAsync([.. V1("192.0.2.1", 1000), .. RawClient.Frame("a"u8.ToArray())]);
        Assert.Equal("a"u8.ToArray(), await ann.ReadFrameAsync());
        await bob.SendAsync([.. V1("192.0.2.2", 1000), .. RawClient.Frame("b"u8.ToArray())]);
        Assert.Equal("b"u8.ToArray(), await bob.ReadFrameAsync()); // same proxy address, another client: admitted
        await annAgain.SendAsync(V1("192.0.2.1", 2000));
        Assert.Equal("reset", await annAgain.WaitForEndAsync()); // the same client twice: over its limit
        await banned.SendAsync(V1("192.0.2.66", 1));
        Assert.Equal("reset", await banned.WaitForEndAsync());
        Assert.Equal("192.0.2.66", filtered!.Value.RemoteAddress.ToString());
    }

    [Fact]
    public async Task A_header_that_never_completes_is_reset_at_the_header_timeout_on_the_servers_clock()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var recorder = new ServerRecorder<System.Buffers.ReadOnlySequence<byte>, System.Buffers.ReadOnlySequence<byte>>();
        var options = new TcpServerOptions { EndPoints = { Loopback.Any4 } };
        TrustLoopback(options);
        await using var server = new TcpServer<System.Buffers.ReadOnlySequence<byte>, System.Buffers.ReadOnlySequence<byte>>(options, Codecs.Codec.LengthPrefixed(), recorder, timeProvider: time);
        await server.StartAsync(TestContext.Current.CancellationToken);
        var started = server.ProxyHeaderStarted;
        using var slow = await RawClient.ConnectAsync(server.EndPoints[0]);
        await slow.SendAsync("PROXY TCP4 203.0"u8.ToArray());
        await AsyncAssert.Within(started, "the header's deadline to start");

        time.Advance(TimeSpan.FromSeconds(4.9));
        Assert.Equal(0, server.RejectedConnections);
        time.Advance(TimeSpan.FromSeconds(0.2));

        Assert.Equal("reset", await slow.WaitForEndAsync());
        Assert.Equal(1, server.RejectedConnections);
        Assert.Empty(recorder.All);
    }
}
