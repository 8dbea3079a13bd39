using System.Buffers;
using Microsoft.Extensions.Time.Testing;
using SocketKit.Codecs;
using SocketKit.Connections;
using SocketKit.IntegrationTests.Infrastructure;

namespace SocketKit.IntegrationTests;

/// <summary>Faults a peer can inflict, each followed by proof that the server still serves a fresh client.</summary>
[Collection(nameof(LoopbackTests))]
public sealed class TcpFaultTests
{
    [Fact]
    public async Task A_slowloris_is_closed_at_the_frame_deadline_and_a_fresh_client_is_served()
    {
        var time = new FakeTimeProvider();
        await using var echo = await EchoServer.StartAsync(
            new ServerRecorder<ReadOnlySequence<byte>, ReadOnlySequence<byte>>(EchoServer.Echoing),
            o => o.Connection.FrameTimeout = TimeSpan.FromSeconds(20), time: time);
        using var slow = await RawClient.ConnectAsync(echo.EndPoint);
        var (connection, recorder) = await AsyncAssert.Within(echo.Handler.NextConnectedAsync(), "the slow client's connection");

        var partial = connection.PartialFrameChanged;
        await slow.SendAsync([0]); // one byte of a length field
        await AsyncAssert.Within(partial, "the server to count the byte");
        time.Advance(TimeSpan.FromSeconds(21) + TimeSpan.FromSeconds(1)); // past the deadline, plus one tick

        Assert.Equal("reset", await AsyncAssert.Within(slow.WaitForEndAsync(), "the server to reset the slow client"));
        var info = await AsyncAssert.Within(recorder.Disconnected, "the slow client's disconnect");
        Assert.Equal(CloseReason.ReceiveTimeout, info.Reason);
        await AssertServesAFreshClientAsync(echo);
    }

    [Fact]
    public async Task A_peer_that_resets_mid_frame_is_recorded_as_a_reset()
    {
        await using var echo = await EchoServer.StartAsync();
        var client = await RawClient.ConnectAsync(echo.EndPoint);
        var (connection, recorder) = await AsyncAssert.Within(echo.Handler.NextConnectedAsync(), "the connection");

        var partial = connection.PartialFrameChanged;
        await client.SendAsync([0, 0, 0, 100, 1, 2, 3]); // 3 of 100 payload bytes
        await AsyncAssert.Within(partial, "the server to hold the partial frame");
        client.Reset();

        var info = await AsyncAssert.Within(recorder.Disconnected, "the reset to be noticed");
        Assert.Equal(CloseReason.PeerReset, info.Reason);
        Assert.Empty(recorder.Messages);
        await AssertServesAFreshClientAsync(echo);
    }

    [Fact]
    public async Task A_peer_that_half_closes_while_the_server_sends_still_gets_the_whole_reply()
    {
        var reply = new byte[4 * 1024 * 1024];
        new Random(11).NextBytes(reply);
        var recorder = new ServerRecorder<ReadOnlySequence<byte>, ReadOnlySequence<byte>>(() => new()
        {
            OnMessage = (c, m, ct) => c.SendAsync(m.FirstSpan.SequenceEqual("send me a lot"u8) ? new ReadOnlySequence<byte>(reply) : m, ct),
        });
        await using var echo = await EchoServer.StartAsync(recorder, framing: new LengthFieldFramerOptions { MaxFrameLength = reply.Length });
        using var client = await RawClient.ConnectAsync(echo.EndPoint);

        await client.SendFrameAsync("send me a lot"u8.ToArray());
        client.ShutdownSend(); // FIN right away: the server is still writing 4 MiB

        var received = await client.ReadToEndAsync();
        Assert.Equal(RawClient.Frame(reply), received);
        var (_, connectionRecorder) = await AsyncAssert.Within(recorder.NextConnectedAsync(), "the connection");
        Assert.Equal(CloseReason.PeerClose, (await AsyncAssert.Within(connectionRecorder.Disconnected, "the close")).Reason);
        await AssertServesAFreshClientAsync(echo);
    }

    [Fact]
    public async Task Random_garbage_is_a_protocol_error_for_that_connection_only()
    {
        await using var echo = await EchoServer.StartAsync(framing: new LengthFieldFramerOptions { MaxFrameLength = 64 * 1024 });
        using var bystander = await RawClient.ConnectAsync(echo.EndPoint);
        await echo.Handler.NextConnectedAsync();
        using var vandal = await RawClient.ConnectAsync(echo.EndPoint);
        var (_, vandalRecorder) = await echo.Handler.NextConnectedAsync();
        var garbage = new byte[8192];
        new Random(1234).NextBytes(garbage);
        garbage[0] = 0xF3; // so the first "length" is far over the maximum

        await vandal.SendAsync(garbage);

        Assert.Contains(await vandal.WaitForEndAsync(), new[] { "fin", "reset" });
        vandal.Dispose(); // our FIN lets the server's graceful close finish at once
        var info = await AsyncAssert.Within(vandalRecorder.Disconnected, "the vandal's close");
        Assert.Equal(CloseReason.ProtocolError, info.Reason);
        Assert.IsType<FrameTooLongException>(info.Exception);
        await bystander.SendFrameAsync("unaffected"u8.ToArray());
        Assert.Equal("unaffected"u8.ToArray(), await bystander.ReadFrameAsync());
        await AssertServesAFreshClientAsync(echo);
    }

    [Fact]
    public async Task A_frame_dribbled_one_byte_at_a_time_arrives_whole()
    {
        await using var echo = await EchoServer.StartAsync();
        using var client = await RawClient.ConnectAsync(echo.EndPoint);
        var frame = RawClient.Frame("one byte at a time, every split"u8.ToArray());

        foreach (var b in frame)
        {
            await client.SendAsync([b]); // NoDelay: each byte its own segment
        }

        Assert.Equal("one byte at a time, every split"u8.ToArray(), await client.ReadFrameAsync());
        await AssertServesAFreshClientAsync(echo);
    }

    [Fact]
    public async Task A_flood_beyond_the_connection_limit_is_refused_and_counted_exactly()
    {
        const int limit = 10;
        const int excess = 20;
        await using var echo = await EchoServer.StartAsync(o => o.MaxConnections = limit);
        var held = new List<RawClient>();
        var heldRecorders = new List<RecordingHandler<ReadOnlySequence<byte>, ReadOnlySequence<byte>>>();
        try
        {
            for (var i = 0; i < limit; i++)
            {
                held.Add(await RawClient.ConnectAsync(echo.EndPoint));
                heldRecorders.Add((await AsyncAssert.Within(echo.Handler.NextConnectedAsync(), "a connection within the limit")).Recorder);
            }

            var endings = await Task.WhenAll(Enumerable.Range(0, excess).Select(_ =>
                AsyncAssert.Within(RawClient.ConnectExpectingRefusalAsync(echo.EndPoint), "an excess client to be refused", 5)));

            Assert.All(endings, ending => Assert.Contains(ending, new[] { "fin", "reset" }));
            Assert.Equal(excess, echo.Server.RejectedConnections);
            Assert.Equal(limit, echo.Server.ConnectionCount);
            await held[0].SendFrameAsync("held"u8.ToArray());
            Assert.Equal("held"u8.ToArray(), await held[0].ReadFrameAsync());
        }
        finally
        {
            held.ForEach(c => c.Dispose());
        }

        await AsyncAssert.Within(Task.WhenAll(heldRecorders.Select(r => r.Disconnected)), "the held connections to close");
        Assert.Equal(0, echo.Server.ConnectionCount); // each slot is freed before its OnDisconnectedAsync
        await AssertServesAFreshClientAsync(echo);
    }

    [Fact]
    public async Task A_handler_that_throws_closes_only_its_connection()
    {
        var recorder = new ServerRecorder<ReadOnlySequence<byte>, ReadOnlySequence<byte>>(() => new()
        {
            OnMessage = (c, m, ct) => m.FirstSpan.SequenceEqual("boom"u8) ? throw new InvalidOperationException("handler bug") : c.SendAsync(m, ct),
        });
        await using var echo = await EchoServer.StartAsync(recorder);
        using var victim = await RawClient.ConnectAsync(echo.EndPoint);
        var (_, victimRecorder) = await recorder.NextConnectedAsync();
        using var bystander = await RawClient.ConnectAsync(echo.EndPoint);
        await recorder.NextConnectedAsync();

        await victim.SendFrameAsync("boom"u8.ToArray());

        Assert.Contains(await victim.WaitForEndAsync(), new[] { "fin", "reset" });
        victim.Dispose();
        var info = await AsyncAssert.Within(victimRecorder.Disconnected, "the failing connection's close");
        Assert.Equal(CloseReason.HandlerError, info.Reason);
        Assert.Equal("handler bug", info.Exception?.Message);
        await bystander.SendFrameAsync("fine"u8.ToArray());
        Assert.Equal("fine"u8.ToArray(), await bystander.ReadFrameAsync());
        await AssertServesAFreshClientAsync(echo);
    }

    internal static async Task AssertServesAFreshClientAsync(EchoServer echo, System.Net.IPAddress? source = null)
    {
        using var fresh = await RawClient.ConnectAsync(echo.EndPoint, source);
        await fresh.SendFrameAsync("still serving"u8.ToArray());
        Assert.Equal("still serving"u8.ToArray(), await AsyncAssert.Within(fresh.ReadFrameAsync(), "the fresh client's echo"));
    }
}
