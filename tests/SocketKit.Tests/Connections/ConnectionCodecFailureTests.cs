using System.Buffers;
using System.Text;
using SocketKit.Codecs;
using SocketKit.Connections;
using SocketKit.Testing;

namespace SocketKit.Tests.Connections;

/// <summary>Whatever a codec does wrong on the input is a protocol error of that connection, never a hang or a transport error.</summary>
public class ConnectionCodecFailureTests
{
    [Fact]
    public async Task A_decoder_that_throws_something_other_than_a_protocol_exception_is_a_protocol_error()
    {
        var handler = new RecordingHandler<string, string>();
        var codec = new Codec<string, string>(Framing.Lines(), new ThrowingDecoder(), Utf8TextCodec.Instance);
        var (_, peer) = InMemoryConnection.CreateWithPeer(codec, handler);

        await peer.WriteAsync(Encoding.UTF8.GetBytes("boom\n"));

        var info = await AsyncAssert.Within(handler.Disconnected, "the close");
        Assert.Equal(CloseReason.ProtocolError, info.Reason);
        var error = Assert.IsType<MalformedFrameException>(info.Exception);
        Assert.IsType<FormatException>(error.InnerException);
        Assert.True(info.IsPeerCaused);
    }

    [Fact]
    public async Task A_framer_that_returns_a_frame_without_consuming_input_closes_the_connection_instead_of_looping()
    {
        var handler = new RecordingHandler<string, string>();
        var codec = new Codec<string, string>(new FramerFactory(() => new StuckFramer()), Utf8TextCodec.Instance, Utf8TextCodec.Instance);
        var (_, peer) = InMemoryConnection.CreateWithPeer(codec, handler);

        await peer.WriteAsync(Encoding.UTF8.GetBytes("anything"));

        var info = await AsyncAssert.Within(handler.Disconnected, "the close");
        Assert.Equal(CloseReason.ProtocolError, info.Reason);
        Assert.Contains("without consuming", info.Exception!.Message);
        Assert.Empty(handler.Messages);
    }

    [Fact]
    public async Task The_handler_can_answer_a_protocol_error_before_the_connection_closes()
    {
        var handler = new AnsweringHandler();
        var codec = Codec.Lines(new LineFramerOptions { MaxLineLength = 8 });
        var (connection, peer) = InMemoryConnection.CreateWithPeer(codec, handler);

        await peer.WriteAsync(Encoding.UTF8.GetBytes("ok\nmuch too long\nnever read\n"));

        var reply = await AsyncAssert.Within(peer.ReadToEndAsync(), "the answer and the FIN");
        Assert.Equal("ERR FrameTooLongException\n", Encoding.UTF8.GetString(reply));
        await peer.CompleteOutputAsync(); // answer the FIN, so the close need not wait out its drain deadline
        var info = await AsyncAssert.Within(connection.Completion, "the close");
        Assert.Equal(CloseReason.ProtocolError, info.Reason);
        Assert.IsType<FrameTooLongException>(info.Exception);
        Assert.Equal(["ok"], handler.Messages);
        Assert.Equal(["connected", "message", "disconnected"], handler.Events);
    }

    [Fact]
    public async Task A_decoder_that_reads_the_framer_gets_the_connections_own_framer()
    {
        var handler = new RecordingHandler<string, string>();
        var codec = new Codec<string, string>(Framing.Lines(), new NumberingDecoder(), Utf8TextCodec.Instance);
        var (_, peer) = InMemoryConnection.CreateWithPeer(codec, handler);

        await peer.WriteAsync(Encoding.UTF8.GetBytes("a\nb\n"));

        await AsyncAssert.Within(handler.WhenMessageCount(2), "two lines");
        Assert.Equal(["LineFramer:a", "LineFramer:b"], handler.Messages);
    }

    /// <summary>Answers a protocol error the way a text protocol would, then lets the connection close.</summary>
    private sealed class AnsweringHandler : RecordingHandler<string, string>
    {
        public override async ValueTask OnProtocolErrorAsync(Connection<string, string> connection, ProtocolException error, CancellationToken closing) =>
            await connection.SendAsync("ERR " + error.GetType().Name, closing);
    }

    private sealed class NumberingDecoder : IFramerAwareDecoder<string>
    {
        public string Decode(in ReadOnlySequence<byte> frame) => throw new InvalidOperationException("the connection has a framer");

        public string Decode(Framer framer, in ReadOnlySequence<byte> frame) => framer.GetType().Name + ":" + Encoding.UTF8.GetString(frame);
    }

    private sealed class ThrowingDecoder : IMessageDecoder<string>
    {
        public string Decode(in ReadOnlySequence<byte> frame) => throw new FormatException("a decoder bug, not a ProtocolException");
    }

    /// <summary>A broken framer: it says it found a frame but leaves the input where it was.</summary>
    private sealed class StuckFramer() : Framer(1024)
    {
        public override int MaxOverheadLength => 0;

        public override FrameStatus Decode(ref ReadOnlySequence<byte> input, out ReadOnlySequence<byte> frame)
        {
            frame = input.Slice(0, 0);
            return input.IsEmpty ? FrameStatus.NeedMoreData : FrameStatus.Frame;
        }

        public override void Encode(ReadOnlySpan<byte> payload, IBufferWriter<byte> output) => output.Write(payload);
    }
}
