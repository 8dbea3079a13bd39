using SocketKit.Connections;
using SocketKit.IntegrationTests.Infrastructure;

namespace SocketKit.IntegrationTests;

/// <summary>
/// One functional test body per promise, run against every transport it applies to (TCP, TLS, in-memory, UDP
/// sessions): the connection contract must not depend on what carries the bytes.
/// </summary>
[Collection(nameof(LoopbackTests))]
public sealed class TransportContractTests
{
    public static TheoryData<TransportKind> All => [TransportKind.Tcp, TransportKind.Tls, TransportKind.InMemory, TransportKind.UdpSession];

    public static TheoryData<TransportKind> Streams => [TransportKind.Tcp, TransportKind.Tls, TransportKind.InMemory];

    public static TheoryData<TransportKind> Servers => [TransportKind.Tcp, TransportKind.Tls, TransportKind.UdpSession];

    [Theory]
    [MemberData(nameof(All))]
    public async Task Callbacks_come_in_order_messages_round_trip_and_a_local_close_is_recorded(TransportKind kind)
    {
        await using var harness = await TransportHarness.StartAsync(kind);

        await harness.SendAsync("hello");
        var (connection, recorder) = await harness.Handler.NextConnectedAsync();
        Assert.Equal("hello", await harness.ReceiveAsync());
        await harness.SendAsync("again");
        Assert.Equal("again", await harness.ReceiveAsync());
        connection.Close();

        var info = await AsyncAssert.Within(recorder.Disconnected, "the close");
        Assert.Equal(CloseReason.LocalClose, info.Reason);
        Assert.Equal(["connected", "message", "message", "disconnected"], recorder.Events);
        Assert.Empty(recorder.Violations);
        if (harness.IsStream)
        {
            Assert.Null(await harness.ReceiveAsync()); // the client sees the end of the stream
        }
    }

    [Theory]
    [MemberData(nameof(Streams))]
    public async Task The_peers_fin_closes_as_peer_close_after_every_reply(TransportKind kind)
    {
        await using var harness = await TransportHarness.StartAsync(kind);

        await harness.SendAsync("one");
        await harness.SendAsync("two");
        await harness.FinishAsync();
        var (_, recorder) = await harness.Handler.NextConnectedAsync();

        var first = await harness.ReceiveAsync();
        Assert.True(first == "one", $"got {first ?? "the end"}; {harness.ClientState}; server: {string.Join(",", recorder.Events)}");
        Assert.Equal("two", await harness.ReceiveAsync());
        Assert.Null(await harness.ReceiveAsync());
        Assert.Equal(CloseReason.PeerClose, (await AsyncAssert.Within(recorder.Disconnected, "the close")).Reason);
        Assert.Empty(recorder.Violations);
    }

    [Theory]
    [MemberData(nameof(Streams))]
    public async Task The_peers_reset_is_recorded_as_a_peer_reset(TransportKind kind)
    {
        await using var harness = await TransportHarness.StartAsync(kind);

        await harness.SendAsync("before the reset");
        var (_, recorder) = await harness.Handler.NextConnectedAsync();
        Assert.Equal("before the reset", await harness.ReceiveAsync());
        harness.Reset();

        Assert.Equal(CloseReason.PeerReset, (await AsyncAssert.Within(recorder.Disconnected, "the reset")).Reason);
        Assert.Empty(recorder.Violations);
    }

    [Theory]
    [MemberData(nameof(Streams))]
    public async Task With_half_close_the_server_answers_after_the_peers_fin(TransportKind kind)
    {
        await using var harness = await TransportHarness.StartAsync(kind, configure: o => o.AllowHalfClose = true);

        await harness.SendAsync("question");
        await harness.FinishAsync();
        var (connection, recorder) = await harness.Handler.NextConnectedAsync();
        await AsyncAssert.Within(recorder.WhenEvent("input-completed"), "the server to hear the FIN");
        await connection.SendAsync("answer", TestContext.Current.CancellationToken);
        connection.Close();

        Assert.Equal("question", await harness.ReceiveAsync());
        Assert.Equal("answer", await harness.ReceiveAsync());
        Assert.Null(await harness.ReceiveAsync());
        Assert.Equal(CloseReason.LocalClose, (await AsyncAssert.Within(recorder.Disconnected, "the close")).Reason);
        Assert.Empty(recorder.Violations);
    }

    [Theory]
    [MemberData(nameof(Streams))]
    public async Task A_peer_that_does_not_read_makes_the_connection_unwritable_until_it_reads(TransportKind kind)
    {
        await using var harness = await TransportHarness.StartAsync(kind, configure: o =>
        {
            o.SendBufferHighWatermark = 64 * 1024;
            o.SendBufferLowWatermark = 16 * 1024;
        });
        await harness.SendAsync("start");
        var (connection, recorder) = await harness.Handler.NextConnectedAsync();
        Assert.Equal("start", await harness.ReceiveAsync());
        var line = new string('x', 16 * 1024);
        const int lines = 2048; // 32 MiB: far more than every buffer between the two ends holds

        var notWritable = recorder.WhenEvent("writable:False");
        var sending = Task.Run(async () =>
        {
            for (var i = 0; i < lines; i++)
            {
                await connection.SendAsync(line, TestContext.Current.CancellationToken); // waits for room: the policy
            }
        });
        await AsyncAssert.Within(notWritable, "the connection to become unwritable while the client does not read");
        Assert.False(sending.IsCompleted);

        var writableAgain = recorder.WhenEvent("writable:True");
        for (var i = 0; i < lines; i++)
        {
            Assert.Equal(line, await harness.ReceiveAsync());
        }

        await AsyncAssert.Within(sending, "every send to be taken");
        await AsyncAssert.Within(writableAgain, "the connection to become writable again");
        Assert.True(connection.IsWritable);
        Assert.Equal(ConnectionState.Open, connection.State);
    }

    [Theory]
    [MemberData(nameof(Streams))]
    public async Task A_file_region_follows_the_messages_before_it_and_precedes_those_after(TransportKind kind)
    {
        using var directory = new TempDirectory();
        var path = Path.Combine(directory.Path, "lines.txt");
        var lines = Enumerable.Range(0, 50_000).Select(i => $"line {i:D6}").ToArray(); // 12 bytes a line with its LF
        await File.WriteAllTextAsync(path, string.Join("\n", lines) + "\n", TestContext.Current.CancellationToken);
        const int skip = 1_000;
        const int take = 40_000; // 480 KB: several chunks' worth of socket buffer
        await using var harness = await TransportHarness.StartAsync(kind, () => new()
        {
            OnMessage = async (c, m, ct) =>
            {
                await c.SendAsync("begin", ct);
                await c.SendFileAsync(path, offset: skip * 12, count: take * 12L, ct);
                await c.SendAsync("end", ct);
            },
        });

        await harness.SendAsync("send the file");

        Assert.Equal("begin", await harness.ReceiveAsync());
        for (var i = skip; i < skip + take; i++)
        {
            Assert.Equal(lines[i], await harness.ReceiveAsync());
        }

        Assert.Equal("end", await harness.ReceiveAsync());
    }

    [Theory]
    [MemberData(nameof(Servers))]
    public async Task Stopping_the_server_closes_the_connection_as_server_shutdown(TransportKind kind)
    {
        await using var harness = await TransportHarness.StartAsync(kind);
        await harness.SendAsync("hello");
        var (_, recorder) = await harness.Handler.NextConnectedAsync();
        Assert.Equal("hello", await harness.ReceiveAsync());

        var end = harness.IsStream ? harness.ReceiveAsync() : Task.FromResult<string?>(null); // a stream's client reads on, and so sees the FIN
        await AsyncAssert.Within(harness.StopServerAsync(), "the stop");

        Assert.Equal(CloseReason.ServerShutdown, (await recorder.Disconnected).Reason);
        Assert.Empty(recorder.Violations);
        Assert.Null(await end);
    }
}
