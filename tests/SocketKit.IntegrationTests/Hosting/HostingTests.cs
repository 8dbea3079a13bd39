using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using SocketKit.Codecs;
using SocketKit.Connections;
using SocketKit.Hosting;
using SocketKit.IntegrationTests.Infrastructure;
using SocketKit.Tcp;
using SocketKit.Udp;

namespace SocketKit.IntegrationTests.Hosting;

/// <summary>SocketKit.Hosting: servers in the Generic Host, options from configuration, a handler per connection from DI.</summary>
[Collection(nameof(LoopbackTests))]
public sealed class HostingTests
{
    [Fact]
    public async Task A_hosted_tcp_server_binds_from_configuration_and_gives_each_connection_its_own_scoped_handler()
    {
        var scopes = new ScopeLog();
        using var host = BuildHost(
            new() { ["SocketKit:Echo:EndPoints:0"] = "127.0.0.1:0", ["SocketKit:Echo:MaxConnections"] = "7", ["SocketKit:Echo:Connection:IdleTimeout"] = "00:05:00" },
            (services, configuration) =>
            {
                services.AddSingleton(scopes);
                services.AddScoped<ConnectionScope>();
                services.AddSocketKitTcpServer<ReadOnlySequence<byte>, ReadOnlySequence<byte>, ScopedEchoHandler>("echo", Codec.LengthPrefixed())
                    .BindSocketKit(configuration.GetSection("SocketKit:Echo"));
            });
        await host.StartAsync(TestContext.Current.CancellationToken);
        var server = host.Services.GetRequiredKeyedService<TcpServer<ReadOnlySequence<byte>, ReadOnlySequence<byte>>>("echo");
        var options = host.Services.GetRequiredService<IOptionsMonitor<TcpServerOptions>>().Get("echo");
        Assert.Equal(7, options.MaxConnections);
        Assert.Equal(TimeSpan.FromMinutes(5), options.Connection.IdleTimeout);
        Assert.Equal(IPAddress.Loopback, server.EndPoints[0].Address);

        using (var first = await RawClient.ConnectAsync(server.EndPoints[0]))
        using (var second = await RawClient.ConnectAsync(server.EndPoints[0]))
        {
            await first.SendFrameAsync("a"u8.ToArray());
            await second.SendFrameAsync("b"u8.ToArray());
            // The reply carries the id of the scope that served it: one scope per connection.
            var a = Encoding.ASCII.GetString((await first.ReadFrameAsync())!);
            var b = Encoding.ASCII.GetString((await second.ReadFrameAsync())!);
            await first.SendFrameAsync("a"u8.ToArray());
            Assert.Equal(a, Encoding.ASCII.GetString((await first.ReadFrameAsync())!));
            Assert.NotEqual(a, b);
            Assert.StartsWith("a@", a);
            Assert.StartsWith("b@", b);
        }

        await AsyncAssert.Within(scopes.DisposedAtLeast(2), "both connections' scopes to be disposed after they closed");
        await host.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Stopping_the_host_stops_the_server_gracefully_and_disposes_open_connections_scopes()
    {
        var scopes = new ScopeLog();
        using var host = BuildHost(new(), (services, _) =>
        {
            services.AddSingleton(scopes);
            services.AddScoped<ConnectionScope>();
            services.AddSocketKitTcpServer<ReadOnlySequence<byte>, ReadOnlySequence<byte>, ScopedEchoHandler>("echo", Codec.LengthPrefixed())
                .Configure(options => options.EndPoints.Add(Loopback.Any4));
        });
        await host.StartAsync(TestContext.Current.CancellationToken);
        var server = host.Services.GetRequiredKeyedService<TcpServer<ReadOnlySequence<byte>, ReadOnlySequence<byte>>>("echo");
        using var client = await RawClient.ConnectAsync(server.EndPoints[0]);
        await client.SendFrameAsync("x"u8.ToArray());
        Assert.NotNull(await client.ReadFrameAsync());

        var stopping = host.StopAsync(TestContext.Current.CancellationToken);

        Assert.Equal("fin", await client.WaitForEndAsync()); // the server's graceful stop: FIN first
        client.Dispose();
        await AsyncAssert.Within(stopping, "the host to stop");
        Assert.Equal(1, scopes.Disposed);
        Assert.Equal(CloseReason.ServerShutdown, scopes.LastCloseReason);
        var refused = await Assert.ThrowsAnyAsync<SocketException>(() => RawClient.ConnectAsync(server.EndPoints[0]));
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode); // the listener is gone
    }

    [Fact]
    public async Task Invalid_options_stop_the_host_at_start_with_a_message_naming_the_server_and_the_setting()
    {
        using var host = BuildHost(
            new() { ["SocketKit:Echo:EndPoints:0"] = "127.0.0.1:0", ["SocketKit:Echo:Backlog"] = "0" },
            (services, configuration) => services
                .AddSocketKitTcpServer<ReadOnlySequence<byte>, ReadOnlySequence<byte>, ScopedEchoHandler>("echo", Codec.LengthPrefixed())
                .BindSocketKit(configuration.GetSection("SocketKit:Echo")));

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains("SocketKit server 'echo'", error.Message);
        Assert.Contains("Backlog must be positive", error.Message);
    }

    [Fact]
    public async Task An_endpoint_that_does_not_parse_is_reported_with_its_configuration_key()
    {
        using var host = BuildHost(
            new() { ["SocketKit:Echo:EndPoints:0"] = "localhost:5000" },
            (services, configuration) => services
                .AddSocketKitTcpServer<ReadOnlySequence<byte>, ReadOnlySequence<byte>, ScopedEchoHandler>("echo", Codec.LengthPrefixed())
                .BindSocketKit(configuration.GetSection("SocketKit:Echo")));

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains("SocketKit:Echo:EndPoints:0 = 'localhost:5000' is not an IP endpoint", error.Message);
    }

    [Theory]
    [InlineData("SocketKit:Echo:Maxconnectons", "7", "SocketKit:Echo:Maxconnectons is not a setting of a TCP server. Its settings are: EndPoints, DualMode, Backlog, MaxConnections,")]
    [InlineData("SocketKit:Echo:Connection:IdleTimout", "00:01:00", "SocketKit:Echo:Connection:IdleTimout is not a setting of a connection.")]
    [InlineData("SocketKit:Echo:Socket:KeepAlve", "true", "SocketKit:Echo:Socket:KeepAlve is not a setting of a TCP server's socket.")]
    [InlineData("SocketKit:Echo:Tls", "yes", "SocketKit:Echo:Tls is set in code (with Configure), not from configuration.")]
    [InlineData("SocketKit:Echo:Socket:ConfigureSocket", "x", "SocketKit:Echo:Socket:ConfigureSocket is set in code (with Configure), not from configuration.")]
    public async Task A_key_that_is_no_setting_stops_the_host_at_start_naming_the_key(string key, string value, string expected)
    {
        using var host = BuildHost(
            new() { ["SocketKit:Echo:EndPoints:0"] = "127.0.0.1:0", [key] = value },
            (services, configuration) => services
                .AddSocketKitTcpServer<ReadOnlySequence<byte>, ReadOnlySequence<byte>, ScopedEchoHandler>("echo", Codec.LengthPrefixed())
                .BindSocketKit(configuration.GetSection("SocketKit:Echo")));

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains($"SocketKit server 'echo': {expected}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_udp_key_that_is_no_setting_stops_the_host_at_start_naming_the_key()
    {
        using var host = BuildHost(
            new() { ["SocketKit:Ping:Endpoint:LocalEndPoint"] = "127.0.0.1:0", ["SocketKit:Ping:Endpoint:LocalAddress"] = "127.0.0.1" },
            (services, configuration) => services
                .AddSocketKitUdpServer<string, string, ScopedTextHandler>("ping", Utf8TextCodec.Instance, Utf8TextCodec.Instance)
                .BindSocketKit(configuration.GetSection("SocketKit:Ping")));

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains("SocketKit server 'ping': SocketKit:Ping:Endpoint:LocalAddress is not a setting of a UDP server's endpoint.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Options_that_fail_while_their_section_is_missing_name_the_section()
    {
        using var host = BuildHost(
            new(), // as when appsettings.json was not copied to the output folder
            (services, configuration) => services
                .AddSocketKitTcpServer<ReadOnlySequence<byte>, ReadOnlySequence<byte>, ScopedEchoHandler>("echo", Codec.LengthPrefixed())
                .BindSocketKit(configuration.GetSection("SocketKit:Echo")));

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains("SocketKit server 'echo': the configuration section 'SocketKit:Echo' is missing or empty. Is appsettings.json copied", error.Message, StringComparison.Ordinal);
        Assert.Contains("EndPoints or UnixEndPoints must hold at least one endpoint", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_section_is_fine_when_code_configures_the_server()
    {
        using var host = BuildHost(
            new(),
            (services, configuration) => services
                .AddSocketKitTcpServer<ReadOnlySequence<byte>, ReadOnlySequence<byte>, ScopedEchoHandler>("echo", Codec.LengthPrefixed())
                .BindSocketKit(configuration.GetSection("SocketKit:Echo"))
                .Configure(options => options.EndPoints.Add(Loopback.Any4)));

        await host.StartAsync(TestContext.Current.CancellationToken);

        Assert.NotEmpty(host.Services.GetRequiredKeyedService<TcpServer<ReadOnlySequence<byte>, ReadOnlySequence<byte>>>("echo").EndPoints);
        await host.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public void Two_servers_with_one_name_are_refused_when_added()
    {
        var services = new ServiceCollection();
        services.AddSocketKitTcpServer<ReadOnlySequence<byte>, ReadOnlySequence<byte>, ScopedEchoHandler>("echo", Codec.LengthPrefixed());

        var error = Assert.Throws<InvalidOperationException>(() =>
            services.AddSocketKitTcpServer<ReadOnlySequence<byte>, ReadOnlySequence<byte>, ScopedEchoHandler>("echo", Codec.LengthPrefixed()));

        Assert.Contains("'echo'", error.Message);
    }

    [Fact]
    public async Task A_hosted_udp_server_gives_each_peer_a_session_with_its_own_scoped_handler()
    {
        var scopes = new ScopeLog();
        using var host = BuildHost(
            new() { ["SocketKit:Ping:Endpoint:LocalEndPoint"] = "127.0.0.1:0", ["SocketKit:Ping:MaxSessions"] = "5" },
            (services, configuration) =>
            {
                services.AddSingleton(scopes);
                services.AddScoped<ConnectionScope>();
                services.AddSocketKitUdpServer<string, string, ScopedTextHandler>("ping", Utf8TextCodec.Instance, Utf8TextCodec.Instance)
                    .BindSocketKit(configuration.GetSection("SocketKit:Ping"));
            });
        var server = host.Services.GetRequiredKeyedService<UdpServer<string, string>>("ping");
        server.DestinationCheck = destination => Loopback.RequireUdpDestination(destination, new UdpEndpointOptions());
        await host.StartAsync(TestContext.Current.CancellationToken);
        Assert.Equal(IPAddress.Loopback, server.LocalEndPoint.Address);

        using var first = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        using var second = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        await first.SendAsync(UdpTest.Utf8("a"), server.LocalEndPoint, TestContext.Current.CancellationToken);
        await second.SendAsync(UdpTest.Utf8("b"), server.LocalEndPoint, TestContext.Current.CancellationToken);
        var a = Encoding.UTF8.GetString((await AsyncAssert.Within(first.ReceiveAsync(TestContext.Current.CancellationToken).AsTask(), "the first reply")).Buffer);
        var b = Encoding.UTF8.GetString((await AsyncAssert.Within(second.ReceiveAsync(TestContext.Current.CancellationToken).AsTask(), "the second reply")).Buffer);

        Assert.StartsWith("a@", a);
        Assert.StartsWith("b@", b);
        Assert.NotEqual(a[2..], b[2..]);
        await host.StopAsync(TestContext.Current.CancellationToken);
        Assert.Equal(2, scopes.Disposed);
    }

    private static IHost BuildHost(Dictionary<string, string?> settings, Action<IServiceCollection, IConfiguration> configure)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        configure(builder.Services, builder.Configuration);
        return builder.Build();
    }

    /// <summary>What the connection scopes did, shared by the test and the handlers.</summary>
    public sealed class ScopeLog
    {
        private int _created;
        private int _disposed;
        private readonly List<TaskCompletionSource> _waiters = new();

        public int Disposed => Volatile.Read(ref _disposed);

        public CloseReason? LastCloseReason { get; set; }

        public int NextId() => Interlocked.Increment(ref _created);

        public void OnDisposed()
        {
            Interlocked.Increment(ref _disposed);
            lock (_waiters)
            {
                _waiters.ForEach(waiter => waiter.TrySetResult());
            }
        }

        public async Task DisposedAtLeast(int count)
        {
            while (Disposed < count)
            {
                var next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                lock (_waiters)
                {
                    _waiters.Add(next);
                }

                if (Disposed < count)
                {
                    await next.Task;
                }
            }
        }
    }

    /// <summary>A scoped service: one per connection, disposed when the connection's scope is.</summary>
    public sealed class ConnectionScope(ScopeLog log) : IDisposable
    {
        public int Id { get; } = log.NextId();

        public void Dispose() => log.OnDisposed();
    }

    /// <summary>Echoes each frame with "@" and its scope's id appended.</summary>
    public sealed class ScopedEchoHandler(ConnectionScope scope, ScopeLog log) : ConnectionHandler<ReadOnlySequence<byte>, ReadOnlySequence<byte>>
    {
        public override async ValueTask OnMessageAsync(Connection<ReadOnlySequence<byte>, ReadOnlySequence<byte>> connection, ReadOnlySequence<byte> message, CancellationToken closing) =>
            await connection.SendAsync(new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes($"{Encoding.ASCII.GetString(message)}@{scope.Id}")), closing);

        public override ValueTask OnDisconnectedAsync(Connection<ReadOnlySequence<byte>, ReadOnlySequence<byte>> connection, CloseInfo closeInfo, CancellationToken cancellationToken)
        {
            log.LastCloseReason = closeInfo.Reason;
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>Replies to each datagram with "@" and its scope's id appended.</summary>
    public sealed class ScopedTextHandler(ConnectionScope scope) : ConnectionHandler<string, string>
    {
        public override async ValueTask OnMessageAsync(Connection<string, string> connection, string message, CancellationToken closing) =>
            await connection.SendAsync($"{message}@{scope.Id}", closing);
    }
}
