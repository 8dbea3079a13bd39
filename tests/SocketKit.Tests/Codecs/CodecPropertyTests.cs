using System.Buffers;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using SocketKit.Codecs;
using SocketKit.Testing;
using SocketKit.Tests.Infrastructure;

namespace SocketKit.Tests.Codecs;

/// <summary>
/// Properties of every built-in framer and message codec: encode, split the bytes anywhere, decode: the same
/// messages come back; and arbitrary bytes never hang or crash a decoder, only yield frames, skips or a typed error.
/// </summary>
public sealed class CodecPropertyTests
{
    private static readonly byte[] Delimiter = "\r\n--\r\n"u8.ToArray();

    public static TheoryData<string> Framers => new(FramerCases.Keys);

    private static readonly Dictionary<string, (Func<Framer> Create, Gen<byte[][]> Payloads)> FramerCases = new()
    {
        ["length 1 byte"] = (() => LengthField(LengthFieldFormat.OneByte), Properties.Payloads(Properties.Bytes(255))),
        ["length 2 bytes little-endian"] = (() => LengthField(LengthFieldFormat.TwoBytes, littleEndian: true), Properties.Payloads()),
        ["length 4 bytes"] = (() => LengthField(LengthFieldFormat.FourBytes), Properties.Payloads()),
        ["length 4 bytes, discarding too-long frames"] = (() => new LengthFieldFramer(new LengthFieldFramerOptions { MaxFrameLength = 600, TooLongFramePolicy = TooLongFramePolicy.Discard }), Properties.Payloads()),
        ["delimiter, discarding too-long frames"] = (() => new DelimiterFramer(DelimiterOptions(TooLongFramePolicy.Discard)), Properties.Payloads(Properties.Bytes(512).Select(WithoutDelimiter))),
        ["length 8 bytes"] = (() => LengthField(LengthFieldFormat.EightBytes), Properties.Payloads()),
        ["length varint"] = (() => LengthField(LengthFieldFormat.VarInt), Properties.Payloads()),
        ["delimiter"] = (() => new DelimiterFramer(DelimiterOptions()), Properties.Payloads(Properties.Bytes(512).Select(WithoutDelimiter))),
        ["lines"] = (() => new LineFramer(new LineFramerOptions { MaxLineLength = 4096 }), Properties.Payloads(Properties.Bytes(512).Select(WithoutLineBreaks))),
        ["fixed 37"] = (() => new FixedLengthFramer(37), Gen.Choose(0, 100).SelectMany(n => Gen.ArrayOf(Gen.ArrayOf(Properties.Byte, 37), n))),
    };

    [Theory]
    [MemberData(nameof(Framers))]
    public void Encoded_frames_split_anywhere_decode_to_the_same_payloads(string framer)
    {
        var (create, payloads) = FramerCases[framer];
        Properties.Check($"{framer} round trip", Gen.Zip(payloads, Properties.Cuts), input =>
        {
            var (frames, cuts) = input;
            var bytes = FramerDriver.Encode(create(), frames);
            var outcome = FramerDriver.Decode(create(), bytes, cuts.Where(c => c < bytes.Length));
            return outcome.Unconsumed == 0 && outcome.Skipped.Count == 0
                && outcome.Frames.Count == frames.Length && outcome.Frames.Zip(frames).All(pair => pair.First.AsSpan().SequenceEqual(pair.Second));
        });
    }

    [Fact]
    public void Raw_frames_split_anywhere_carry_the_same_bytes()
    {
        Properties.Check("raw round trip", Gen.Zip(Properties.Bytes(4096), Properties.Cuts), input =>
        {
            var (bytes, cuts) = input;
            var outcome = FramerDriver.Decode(new RawFramer(100), bytes, cuts.Where(c => c < bytes.Length));
            return outcome.Unconsumed == 0 && outcome.Frames.All(f => f.Length is > 0 and <= 100)
                && outcome.Frames.SelectMany(f => f).SequenceEqual(bytes);
        });
    }

    [Theory]
    [MemberData(nameof(Framers))]
    public void Arbitrary_bytes_yield_only_frames_skips_or_a_protocol_error(string framer)
    {
        var (create, _) = FramerCases[framer];
        Properties.Check($"{framer} garbage", Gen.Zip(Properties.Bytes(4096), Properties.Cuts), input =>
        {
            var (bytes, cuts) = input;
            try
            {
                var outcome = FramerDriver.Decode(create(), bytes, cuts.Where(c => c < bytes.Length));
                return outcome.Unconsumed >= 0 && outcome.Unconsumed <= bytes.Length;
            }
            catch (ProtocolException)
            {
                return true; // the typed error that closes the connection
            }
        });
    }

    [Fact]
    public void Bytes_and_text_messages_survive_encode_and_decode()
    {
        var text = Gen.Choose(0, 300).SelectMany(n => Gen.ArrayOf(Gen.Choose(0x20, 0xD7FF).Select(c => (char)c), n)).Select(chars => new string(chars));
        Properties.Check("messages round trip", Gen.Zip(Properties.Bytes(1024), text), input =>
        {
            var (bytes, str) = input;
            return RoundTrip(BytesCodec.Instance, new ReadOnlySequence<byte>(bytes)).ToArray().AsSpan().SequenceEqual(bytes)
                && RoundTrip(Utf8TextCodec.Instance, str) == str
                && RoundTrip(new JsonCodec<ChatMessage>(TestJsonContext.Default.ChatMessage), new ChatMessage(str, str, bytes.Length)) == new ChatMessage(str, str, bytes.Length);
        });
    }

    [Fact]
    public void Arbitrary_bytes_decode_to_a_message_or_a_malformed_frame_error()
    {
        var json = new JsonCodec<ChatMessage>(TestJsonContext.Default.ChatMessage);
        var jsonish = Gen.OneOf(Properties.Bytes(512), Gen.Elements("{\"From\":1}", "{\"Text\":\"x\"", "[1,2]", "null", "{\"Sequence\":\"x\"}", "{}").Select(Encoding.UTF8.GetBytes));
        Properties.Check("message garbage", jsonish, bytes =>
        {
            var frame = new ReadOnlySequence<byte>(bytes);
            return Survives(() => Utf8TextCodec.Instance.Decode(frame)) && Survives(() => json.Decode(frame)) && Survives(() => BytesCodec.Instance.Decode(frame));
        });
    }

    private static bool Survives<T>(Func<T> decode)
    {
        try
        {
            decode();
            return true;
        }
        catch (MalformedFrameException)
        {
            return true;
        }
    }

    private static T RoundTrip<T>(IMessageCodec<T> codec, T message)
    {
        var writer = new ArrayBufferWriter<byte>();
        codec.Encode(message, writer);
        return codec.Decode(new ReadOnlySequence<byte>(writer.WrittenMemory));
    }

    private static LengthFieldFramer LengthField(LengthFieldFormat format, bool littleEndian = false) =>
        new(new LengthFieldFramerOptions { Format = format, LittleEndian = littleEndian, MaxFrameLength = 4096 });

    private static DelimiterFramerOptions DelimiterOptions(TooLongFramePolicy policy = TooLongFramePolicy.Close)
    {
        var options = new DelimiterFramerOptions { MaxFrameLength = policy == TooLongFramePolicy.Close ? 4096 : 600, TooLongFramePolicy = policy };
        options.Delimiters.Add(Delimiter);
        return options;
    }

    private static byte[] WithoutDelimiter(byte[] payload)
    {
        // Break every occurrence of the delimiter's first byte, so no payload can contain the delimiter.
        return payload.Select(b => b == Delimiter[0] ? (byte)0 : b).ToArray();
    }

    private static byte[] WithoutLineBreaks(byte[] payload) => payload.Select(b => b is (byte)'\n' or (byte)'\r' ? (byte)' ' : b).ToArray();
}
