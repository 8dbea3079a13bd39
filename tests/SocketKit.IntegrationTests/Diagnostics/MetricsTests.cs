using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using SocketKit.Codecs;
using SocketKit.Connections;
using SocketKit.Diagnostics;
using SocketKit.IntegrationTests.Infrastructure;
using SocketKit.Tcp;
using SocketKit.Tls;
using SocketKit.Udp;

namespace SocketKit.IntegrationTests.Diagnostics;

/// <summary>The SocketKit meter and activity source, as a listener (dotnet-counters, OpenTelemetry) sees them.</summary>
[Collection(nameof(LoopbackTests))]
public sealed class MetricsTests
{
    [Fact]
    public async Task A_connection_is_counted_open_then_closed_with_its_reason_duration_and_traffic()
    {
        using var metrics = new MetricsRecorder();
        await using var echo = await EchoServer.StartAsync();
        metrics.Port = echo.EndPoint.Port;
        using (var client = await RawClient.ConnectAsync(echo.EndPoint))
        {
            for (var i = 0; i < 10; i++)
            {
                await client.SendFrameAsync(new byte[100]);
                Assert.NotNull(await client.ReadFrameAsync());
            }

            await metrics.WaitForAsync("socketkit.connection.opened");
            metrics.Collect(); // while open: the open connection's counts
            Assert.Equal(1, metrics.Last("socketkit.connection.active"));
            Assert.Equal(10, metrics.Last("socketkit.io.messages", "network.io.direction", "receive"));
            Assert.Equal(10 * 104, metrics.Last("socketkit.io.bytes", "network.io.direction", "transmit"));
            client.ShutdownSend();
            Assert.Equal("fin", await client.WaitForEndAsync());
        }

        await metrics.WaitForAsync("socketkit.connection.closed");
        metrics.Collect(); // once closed: the totals kept by the server
        Assert.Equal(1, metrics.Sum("socketkit.connection.opened"));
        Assert.Equal(0, metrics.Last("socketkit.connection.active"));
        Assert.Equal(1, metrics.Sum("socketkit.connection.closed", "socketkit.close_reason", "peer_close"));
        var duration = Assert.Single(metrics.Of("socketkit.connection.duration"));
        Assert.InRange(duration.Value, 0, 60);
        Assert.Equal("tcp", duration.Tags["network.transport"]);
        Assert.Equal("127.0.0.1", duration.Tags["server.address"]);
        Assert.Equal(10, metrics.Last("socketkit.io.messages", "network.io.direction", "receive"));
        Assert.Equal(10, metrics.Last("socketkit.io.messages", "network.io.direction", "transmit"));
        Assert.Equal(10 * 104, metrics.Last("socketkit.io.bytes", "network.io.direction", "receive"));
        Assert.Equal(10 * 104, metrics.Last("socketkit.io.bytes", "network.io.direction", "transmit"));
    }

    [Fact]
    public async Task Refused_connections_are_counted_by_cause()
    {
        using var metrics = new MetricsRecorder();
        await using var echo = await EchoServer.StartAsync(options =>
        {
            options.MaxConnections = 1;
            options.AcceptFilter = (tuple, _) => ValueTask.FromResult(tuple.RemoteAddress.Equals(IPAddress.Loopback));
        });
        metrics.Port = echo.EndPoint.Port;
        using var first = await RawClient.ConnectAsync(echo.EndPoint);
        await echo.Handler.NextConnectedAsync();

        Assert.Equal("reset", await RawClient.ConnectExpectingRefusalAsync(echo.EndPoint)); // over MaxConnections
        await metrics.WaitForAsync("socketkit.connection.rejected", "socketkit.rejection", "connection_limit");
        first.Dispose();
        await metrics.WaitForAsync("socketkit.connection.closed");
        Assert.Equal("reset", await RawClient.ConnectExpectingRefusalAsync(echo.EndPoint, IPAddress.Parse("127.0.0.2"))); // the filter
        await metrics.WaitForAsync("socketkit.connection.rejected", "socketkit.rejection", "accept_filter");

        Assert.Equal(1, metrics.Sum("socketkit.connection.rejected", "socketkit.rejection", "connection_limit"));
        Assert.Equal(1, metrics.Sum("socketkit.connection.rejected", "socketkit.rejection", "accept_filter"));
        Assert.Equal(1, metrics.Sum("socketkit.connection.opened"));
    }

    [Fact]
    public async Task A_frame_over_the_limit_counts_as_a_protocol_error_and_closes_with_that_reason()
    {
        using var metrics = new MetricsRecorder();
        await using var echo = await EchoServer.StartAsync(framing: new LengthFieldFramerOptions { MaxFrameLength = 16 });
        metrics.Port = echo.EndPoint.Port;
        using var client = await RawClient.ConnectAsync(echo.EndPoint);

        await client.SendFrameAsync(new byte[17]);

        await metrics.WaitForAsync("socketkit.connection.closed", "socketkit.close_reason", "protocol_error");
        Assert.Equal(1, metrics.Sum("socketkit.connection.protocol_errors"));
    }

    [Fact]
    public async Task A_failed_tls_handshake_is_counted()
    {
        using var metrics = new MetricsRecorder();
        var options = new TcpServerOptions { EndPoints = { Loopback.Any4 }, Tls = new TlsServerOptions { Certificate = TestCertificates.Create("localhost") } };
        await using var server = new TcpServer<string, string>(options, Codec.Lines(), new RecordingHandler<string, string>());
        await server.StartAsync(TestContext.Current.CancellationToken);
        metrics.Port = server.EndPoints[0].Port;
        using var client = await RawClient.ConnectAsync(server.EndPoints[0]);

        await client.SendAsync("this is not a TLS client hello\r\n\r\n"u8.ToArray());

        await metrics.WaitForAsync("socketkit.tls.handshake_failures");
        Assert.Equal(1, metrics.Sum("socketkit.tls.handshake_failures"));
        Assert.Equal(0, metrics.Sum("socketkit.connection.opened"));
    }

    [Fact]
    public async Task A_udp_server_reports_sessions_evictions_and_traffic()
    {
        using var metrics = new MetricsRecorder();
        var handler = new SessionRecorder();
        await using var server = await UdpTest.StartServerAsync(new UdpServerOptions { MaxSessions = 1 }, handler);
        metrics.Port = server.LocalEndPoint.Port;
        using var first = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        using var second = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));

        await first.SendAsync(UdpTest.Utf8("one"), server.LocalEndPoint, TestContext.Current.CancellationToken);
        await handler.NextAsync("message", "the first peer's datagram");
        await second.SendAsync(UdpTest.Utf8("two!"), server.LocalEndPoint, TestContext.Current.CancellationToken);
        await handler.NextAsync("message", "the second peer's datagram");
        await metrics.WaitForAsync("socketkit.connection.closed", "socketkit.close_reason", "evicted");

        metrics.Collect();
        Assert.Equal(1, metrics.Last("socketkit.udp.sessions_evicted"));
        Assert.Equal(0, metrics.Last("socketkit.udp.datagrams_dropped"));
        Assert.Equal(2, metrics.Sum("socketkit.connection.opened"));
        Assert.Equal("udp", metrics.Of("socketkit.connection.opened")[0].Tags["network.transport"]);
        Assert.Equal(2, metrics.Last("socketkit.io.messages", "network.io.direction", "receive"));
        Assert.Equal(7, metrics.Last("socketkit.io.bytes", "network.io.direction", "receive"));
        Assert.Equal(2, metrics.Last("socketkit.io.messages", "network.io.direction", "transmit"));
    }

    [Fact]
    public async Task A_listened_activity_spans_the_connection_and_is_current_in_its_handler()
    {
        var stopped = new TaskCompletionSource<Activity>(TaskCreationOptions.RunContinuationsAsynchronously);
        int? port = null;
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == SocketKitDiagnostics.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (Equals(activity.GetTagItem("server.port"), port))
                {
                    stopped.TrySetResult(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        Activity? seenByHandler = null;
        var recorder = new ServerRecorder<ReadOnlySequence<byte>, ReadOnlySequence<byte>>(() => new()
        {
            OnMessage = (connection, message, closing) =>
            {
                seenByHandler = Activity.Current;
                return connection.SendAsync(message, closing);
            },
        });
        using var outer = new Activity("the caller's own work").Start(); // not the parent of connections
        await using var echo = await EchoServer.StartAsync(recorder);
        outer.Stop();
        port = echo.EndPoint.Port;
        using (var client = await RawClient.ConnectAsync(echo.EndPoint))
        {
            await client.SendFrameAsync("hi"u8.ToArray());
            Assert.NotNull(await client.ReadFrameAsync());
        }

        var activity = await AsyncAssert.Within(stopped.Task, "the connection's activity to stop");
        Assert.Equal("socketkit.connection", activity.OperationName);
        Assert.Equal(ActivityKind.Server, activity.Kind);
        Assert.Null(activity.ParentId);
        Assert.Same(activity, seenByHandler);
        Assert.Equal("127.0.0.1", activity.GetTagItem("network.peer.address"));
        Assert.Equal("peer_close", activity.GetTagItem("socketkit.close_reason"));
    }
}
