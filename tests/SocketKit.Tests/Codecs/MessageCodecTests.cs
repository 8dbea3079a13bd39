using System.Buffers;
using System.Text;
using System.Text.Json.Serialization;
using SocketKit.Codecs;
using SocketKit.Testing;
using SocketKit.Tests.Infrastructure;

namespace SocketKit.Tests.Codecs;

public sealed record ChatMessage(string From, string Text, int Sequence);

[JsonSerializable(typeof(ChatMessage))]
public sealed partial class TestJsonContext : JsonSerializerContext;

public class MessageCodecTests
{
    [Fact]
    public void Utf8_round_trips_across_segments()
    {
        var text = "héllo wörld ✓ 𝄞";
        var writer = new ArrayBufferWriter<byte>();
        Utf8TextCodec.Instance.Encode(text, writer);
        var bytes = writer.WrittenSpan.ToArray();
        for (var cut = 1; cut < bytes.Length; cut++)
        {
            var sequence = SegmentedSequence.Create([bytes[..cut], bytes[cut..]]);
            Assert.Equal(text, Utf8TextCodec.Instance.Decode(sequence));
        }
    }

    [Fact]
    public void Invalid_utf8_is_malformed()
    {
        var error = Assert.Throws<MalformedFrameException>(() => Utf8TextCodec.Instance.Decode(new ReadOnlySequence<byte>([0xC3, 0x28])));
        Assert.Contains("UTF-8", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_round_trips_through_type_info_across_segments()
    {
        var codec = new JsonCodec<ChatMessage>(TestJsonContext.Default.ChatMessage);
        var message = new ChatMessage("ann", "hi there", 7);
        var writer = new ArrayBufferWriter<byte>();
        codec.Encode(message, writer);
        var bytes = writer.WrittenSpan.ToArray();
        Assert.Equal(message, codec.Decode(SegmentedSequence.Create([bytes[..5], bytes[5..]])));
    }

    [Theory]
    [InlineData("{\"From\":\"a\"")]
    [InlineData("not json")]
    [InlineData("null")]
    public void Bad_json_is_malformed(string json)
    {
        var codec = new JsonCodec<ChatMessage>(TestJsonContext.Default.ChatMessage);
        Assert.Throws<MalformedFrameException>(() => codec.Decode(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(json))));
    }

    [Fact]
    public void Bytes_codec_passes_the_frame_through_without_copying()
    {
        var frame = new ReadOnlySequence<byte>(new byte[] { 1, 2, 3 });
        var decoded = BytesCodec.Instance.Decode(frame);
        Assert.Equal(frame.Start, decoded.Start);
        var writer = new ArrayBufferWriter<byte>();
        BytesCodec.Instance.Encode(SegmentedSequence.Create([[1], [2, 3]]), writer);
        Assert.Equal(new byte[] { 1, 2, 3 }, writer.WrittenSpan.ToArray());
    }
}
