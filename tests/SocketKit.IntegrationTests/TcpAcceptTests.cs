using System.Buffers;
using System.Net;
using System.Net.Sockets;
using SocketKit.Codecs;
using SocketKit.IntegrationTests.Infrastructure;
using SocketKit.Tcp;

namespace SocketKit.IntegrationTests;

[Collection(nameof(LoopbackTests))]
public class TcpAcceptTests
{
    private const int AcceptFailedEventId = 6;

    [Fact]
    public async Task The_accept_loop_survives_running_out_of_descriptors_logs_backs_off_and_serves_the_waiting_client()
    {
        var logs = new CapturingLoggerProvider();
        var options = new TcpServerOptions { EndPoints = { Loopback.Any4 } };
        await using var server = new TcpServer<ReadOnlySequence<byte>, ReadOnlySequence<byte>>(
            options, Codec.LengthPrefixed(), new ServerRecorder<ReadOnlySequence<byte>, ReadOnlySequence<byte>>(EchoServer.Echoing), logs);
        var calls = 0;
        server.Accept = (listener, ct) => Interlocked.Increment(ref calls) <= 3
            ? ValueTask.FromException<Socket>(new SocketException((int)SocketError.TooManyOpenSockets)) // EMFILE, as accept(2) reports it
            : listener.AcceptAsync(ct);
        await server.StartAsync();

        using var client = await RawClient.ConnectAsync(server.EndPoints[0]);
        var error = await AsyncAssert.Within(logs.WhenEvent(AcceptFailedEventId), "the failed accept to be logged");
        Assert.Equal(SocketError.TooManyOpenSockets, Assert.IsType<SocketException>(error).SocketErrorCode);

        await client.SendFrameAsync(System.Text.Encoding.UTF8.GetBytes("still serving"));
        Assert.Equal("still serving", System.Text.Encoding.UTF8.GetString((await client.ReadFrameAsync())!));
        Assert.True(Volatile.Read(ref calls) >= 4, "the loop kept accepting after three failures");
        Assert.Equal(1, server.AcceptedConnections);
    }
}
