using System.Buffers;
using System.Net.Sockets;
using System.Text;
using SocketKit.Codecs;
using SocketKit.IntegrationTests.Infrastructure;
using SocketKit.Tcp;

namespace SocketKit.IntegrationTests;

/// <summary>
/// Stream servers and connectors on a Unix domain socket path: the same contract and codecs as TCP, a five-tuple of
/// paths, the peer's credentials from the kernel, and the socket file's life (a stale one replaced, a live one kept).
/// </summary>
[Collection(nameof(LoopbackTests))]
public sealed class UnixSocketTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"sk-{Guid.NewGuid():N}.sock");

    private UnixDomainSocketEndPoint EndPoint => new(_path);

    public void Dispose() => File.Delete(_path);

    private static ReadOnlySequence<byte> Seq(string s) => new(Encoding.UTF8.GetBytes(s));

    private Task<EchoServer> StartUnixEchoAsync(Action<TcpServerOptions>? configure = null) => EchoServer.StartAsync(options =>
    {
        options.EndPoints.Clear();
        options.UnixEndPoints.Add(EndPoint);
        configure?.Invoke(options);
    });

    [Fact]
    public async Task A_connector_and_a_server_echo_over_a_socket_path_with_a_five_tuple_of_paths()
    {
        await using var echo = await StartUnixEchoAsync();
        Assert.Equal(_path, Assert.Single(echo.Server.UnixEndPoints).ToString());
        Assert.Empty(echo.Server.EndPoints);

        await using var client = await TcpConnector.ConnectAsync(EndPoint, Codec.LengthPrefixed());
        var (serverSide, _) = await AsyncAssert.Within(echo.Handler.NextConnectedAsync(), "the server side");
        await using var replies = client.ReadAllAsync().GetAsyncEnumerator(TestContext.Current.CancellationToken);
        await client.SendAsync(Seq("over a path"), TestContext.Current.CancellationToken);
        Assert.True(await AsyncAssert.Within(replies.MoveNextAsync(), "the echo"));

        Assert.Equal("over a path", Encoding.UTF8.GetString(replies.Current));
        Assert.Equal(TransportProtocol.Unix, serverSide.Tuple.Protocol);
        Assert.Equal($"unix {_path} <-> (unnamed)", serverSide.Tuple.ToString());
        Assert.Equal(_path, client.Tuple.RemotePath);
        Assert.Equal(1, echo.Server.ConnectionCount);
    }

    [Fact]
    public async Task Each_side_sees_the_others_process_and_user_from_the_kernel()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "SO_PEERCRED is Linux's");
        await using var echo = await StartUnixEchoAsync();
        await using var client = await TcpConnector.ConnectAsync(EndPoint, Codec.LengthPrefixed());
        var (serverSide, _) = await AsyncAssert.Within(echo.Handler.NextConnectedAsync(), "the server side");

        var uid = uint.Parse(File.ReadLines("/proc/self/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t')[2], System.Globalization.CultureInfo.InvariantCulture);
        var peer = Assert.NotNull(serverSide.PeerCredentials);
        Assert.Equal(Environment.ProcessId, peer.ProcessId);
        Assert.Equal(uid, peer.UserId);
        Assert.Equal(peer, client.PeerCredentials); // both ends are this process
        Assert.Null(serverSide.Proxy);
    }

    [Fact]
    public async Task A_tcp_connection_has_no_peer_credentials()
    {
        await using var echo = await EchoServer.StartAsync();
        await using var client = await TcpConnector.ConnectAsync(echo.EndPoint, Codec.LengthPrefixed());
        var (serverSide, _) = await AsyncAssert.Within(echo.Handler.NextConnectedAsync(), "the server side");

        Assert.Null(serverSide.PeerCredentials);
        Assert.Null(client.PeerCredentials);
    }

    [Fact]
    public async Task Stopping_removes_the_socket_file()
    {
        var echo = await StartUnixEchoAsync();
        Assert.True(File.Exists(_path));

        await echo.DisposeAsync();

        Assert.False(File.Exists(_path));
    }

    [Fact]
    public async Task A_socket_file_nobody_accepts_on_is_replaced_at_start()
    {
        // A bound socket that never listens is what a crashed server leaves: the file is there, and connects are refused.
        using var orphan = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        orphan.Bind(EndPoint);
        Assert.True(File.Exists(_path));

        await using var echo = await StartUnixEchoAsync();
        await using var client = await TcpConnector.ConnectAsync(EndPoint, Codec.LengthPrefixed());

        Assert.NotNull((await AsyncAssert.Within(echo.Handler.NextConnectedAsync(), "a connection on the replaced path")).Connection);
    }

    [Fact]
    public async Task A_live_servers_path_is_not_taken_and_it_keeps_serving()
    {
        await using var first = await StartUnixEchoAsync();

        var options = new TcpServerOptions { UnixEndPoints = { EndPoint } };
        await using var second = new TcpServer<ReadOnlySequence<byte>, ReadOnlySequence<byte>>(options, Codec.LengthPrefixed(), EchoServer.Echoing());
        var error = await Assert.ThrowsAsync<IOException>(() => second.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains("another server is accepting", error.Message, StringComparison.Ordinal);
        await using var client = await TcpConnector.ConnectAsync(EndPoint, Codec.LengthPrefixed());
        Assert.NotNull((await AsyncAssert.Within(first.Handler.NextConnectedAsync(), "the first server still serving")).Connection);
    }

    [Fact]
    public async Task A_file_that_is_not_a_socket_is_left_alone()
    {
        await File.WriteAllTextAsync(_path, "precious", TestContext.Current.CancellationToken);

        var options = new TcpServerOptions { UnixEndPoints = { EndPoint } };
        await using var server = new TcpServer<ReadOnlySequence<byte>, ReadOnlySequence<byte>>(options, Codec.LengthPrefixed(), EchoServer.Echoing());
        var error = await Assert.ThrowsAsync<IOException>(() => server.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains("not a socket", error.Message, StringComparison.Ordinal);
        Assert.Equal("precious", await File.ReadAllTextAsync(_path, TestContext.Current.CancellationToken));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // Unix file modes
    public async Task The_socket_file_gets_the_permissions_asked_for()
    {
        const UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite;
        await using var echo = await StartUnixEchoAsync(options => options.UnixSocketFileMode = mode);

        Assert.Equal(mode, File.GetUnixFileMode(_path));
    }

    [Fact]
    public async Task One_server_serves_tcp_and_a_path_and_local_clients_are_not_counted_per_address()
    {
        await using var echo = await EchoServer.StartAsync(options =>
        {
            options.UnixEndPoints.Add(EndPoint);
            options.MaxConnectionsPerAddress = 1;
        });
        await using var tcp = await TcpConnector.ConnectAsync(echo.EndPoint, Codec.LengthPrefixed());
        await using var local1 = await TcpConnector.ConnectAsync(EndPoint, Codec.LengthPrefixed());
        await using var local2 = await TcpConnector.ConnectAsync(EndPoint, Codec.LengthPrefixed());

        var protocols = new List<TransportProtocol>();
        for (var i = 0; i < 3; i++)
        {
            protocols.Add((await AsyncAssert.Within(echo.Handler.NextConnectedAsync(), "each connection")).Connection.Tuple.Protocol);
        }

        Assert.Equal(1, protocols.Count(p => p == TransportProtocol.Tcp));
        Assert.Equal(2, protocols.Count(p => p == TransportProtocol.Unix));
        Assert.Equal(0, echo.Server.RejectedConnections);
    }

    [Fact]
    public async Task Tls_runs_over_a_socket_path()
    {
        await using var echo = await StartUnixEchoAsync(options => options.Tls = new Tls.TlsServerOptions { Certificate = TestCertificates.Create("localhost") });
        var tls = new Tls.TlsClientOptions { RemoteCertificateValidation = (_, certificate, _, _) => certificate?.Subject == "CN=localhost" };

        await using var client = await TcpConnector.ConnectAsync(EndPoint, Codec.LengthPrefixed(), options: new TcpConnectorOptions { Tls = tls });
        await using var replies = client.ReadAllAsync().GetAsyncEnumerator(TestContext.Current.CancellationToken);
        await client.SendAsync(Seq("sealed"), TestContext.Current.CancellationToken);
        Assert.True(await AsyncAssert.Within(replies.MoveNextAsync(), "the echo over TLS"));

        Assert.Equal("sealed", Encoding.UTF8.GetString(replies.Current));
        Assert.Equal("localhost", client.Tls!.HostName);
    }
}
