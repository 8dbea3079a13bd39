using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using SocketKit.Codecs;
using SocketKit.Connections;
using SocketKit.Internal;
using SocketKit.IntegrationTests.Infrastructure;
using SocketKit.Transports;

namespace SocketKit.IntegrationTests;

/// <summary>
/// What the transport layer is shaped for, shown on real sockets before the public features that build on it: a Unix
/// domain socket carries a connection as TCP does (its five-tuple holds the paths), and a header can be read from a
/// started transport before the connection and its codec take over the bytes that follow (the PROXY protocol).
/// </summary>
[Collection(nameof(LoopbackTests))]
public sealed class TransportLayerTests
{
    [Fact]
    public async Task A_unix_domain_socket_carries_a_connection_whose_five_tuple_has_the_paths()
    {
        Assert.SkipUnless(Socket.OSSupportsUnixDomainSockets, "This OS has no Unix domain sockets.");
        using var directory = new TempDirectory();
        var path = Path.Combine(directory.Path, "echo.sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen();
        using var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await client.ConnectAsync(new UnixDomainSocketEndPoint(path), TestContext.Current.CancellationToken);
        var accepted = await listener.AcceptAsync(TestContext.Current.CancellationToken);

        var options = new ConnectionOptions();
        var codec = Codec.Lines();
        var handler = new RecordingHandler<string, string> { OnMessage = (c, m, ct) => c.SendAsync(m, ct) };
        var transport = new SocketTransport(accepted, options.InputPipeOptions(options.ReceiveBufferLimit(codec.Framing.MaxFrameLength, codec.Framing.MaxOverheadLength)), ConnectionOptions.OutputPipeOptions);
        var connection = new Connection<string, string>(transport, SocketTuple.Of(accepted), codec, handler, options,
            ConnectionTicker.Shared(TimeProvider.System), NullLogger.Instance, group: null, CancellationToken.None);
        _ = connection.RunAsync();

        await client.SendAsync("over a path\n"u8.ToArray(), SocketFlags.None);
        var reply = new byte[64];
        var read = await AsyncAssert.Within(client.ReceiveAsync(reply, SocketFlags.None), "the echo");
        client.Shutdown(SocketShutdown.Send);

        Assert.Equal("over a path\n", System.Text.Encoding.ASCII.GetString(reply, 0, read));
        Assert.Equal(TransportProtocol.Unix, connection.Tuple.Protocol);
        Assert.Equal(path, connection.Tuple.LocalPath);
        Assert.Equal($"unix {path} <-> (unnamed)", connection.Tuple.ToString());
        Assert.Equal(CloseReason.PeerClose, (await AsyncAssert.Within(handler.Disconnected, "the close")).Reason);
    }

    [Fact]
    public async Task A_header_read_from_a_started_transport_leaves_what_follows_to_the_connection()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(Loopback.Any4);
        listener.Listen();
        using var client = await RawClient.ConnectAsync((System.Net.IPEndPoint)listener.LocalEndPoint!);
        var accepted = await listener.AcceptAsync(TestContext.Current.CancellationToken);
        var options = new ConnectionOptions();
        var codec = Codec.Lines();
        var transport = new SocketTransport(accepted, options.InputPipeOptions(options.ReceiveBufferLimit(codec.Framing.MaxFrameLength, codec.Framing.MaxOverheadLength)), ConnectionOptions.OutputPipeOptions);
        var early = new CountingObserver();
        transport.Start(early);

        // The header and the first line in one write, so they arrive together.
        await client.SendAsync("PROXY TCP4 192.0.2.1 192.0.2.2 5000 80\r\nfirst line\n"u8.ToArray());
        var header = await AsyncAssert.Within(ReadHeaderAsync(transport.Input), "the header");

        var handler = new RecordingHandler<string, string> { OnMessage = (c, m, ct) => c.SendAsync(m, ct) };
        var connection = new Connection<string, string>(transport, SocketTuple.Of(accepted), codec, handler, options,
            ConnectionTicker.Shared(TimeProvider.System), NullLogger.Instance, group: null, CancellationToken.None);
        _ = connection.RunAsync(); // starts the transport again: only its observer changes
        await client.SendAsync("second line\n"u8.ToArray());
        client.ShutdownSend();

        Assert.Equal("PROXY TCP4 192.0.2.1 192.0.2.2 5000 80", header);
        Assert.Equal("first line\nsecond line\n", System.Text.Encoding.ASCII.GetString(await client.ReadToEndAsync()));
        Assert.Equal(["first line", "second line"], handler.Messages);
        Assert.True(early.Received > 0);
        Assert.Equal(CloseReason.PeerClose, (await AsyncAssert.Within(handler.Disconnected, "the close")).Reason);
    }

    /// <summary>Reads one CRLF-ended line and consumes exactly it, leaving the rest in the pipe.</summary>
    private static async Task<string> ReadHeaderAsync(System.IO.Pipelines.PipeReader input)
    {
        while (true)
        {
            var result = await input.ReadAsync(TestContext.Current.CancellationToken);
            var reader = new System.Buffers.SequenceReader<byte>(result.Buffer);
            if (reader.TryReadTo(out System.Buffers.ReadOnlySequence<byte> line, "\r\n"u8))
            {
                input.AdvanceTo(reader.Position); // consumed: the header only; examined: the same, so the rest is read again
                return System.Text.Encoding.ASCII.GetString(System.Buffers.BuffersExtensions.ToArray(line));
            }

            Assert.False(result.IsCompleted, "The stream ended before the header did.");
            input.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
    }

    private sealed class CountingObserver : ITransportObserver
    {
        public long Received { get; private set; }

        public void OnReceived(int bytes) => Received += bytes;

        public void OnSent(long bytes)
        {
        }

        public void OnEnded(TransportEnding ending, Exception? error)
        {
        }
    }
}
