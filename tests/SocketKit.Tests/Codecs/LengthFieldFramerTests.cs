using System.Text;
using SocketKit.Codecs;
using SocketKit.Testing;
using SocketKit.Tests.Infrastructure;

namespace SocketKit.Tests.Codecs;

public class LengthFieldFramerTests
{
    private static byte[] Bytes(string s) => Encoding.ASCII.GetBytes(s);

    [Fact]
    public void Default_options_round_trip_many_frames_under_every_split()
    {
        var payloads = new[] { Bytes("HELLO, WORLD"), [], Bytes("x"), Bytes(new string('z', 300)) };
        var data = FramerDriver.Encode(new LengthFieldFramer(), payloads);
        Assert.Equal(Bytes("\0\0\0\x0cHELLO, WORLD"), data[..16]);
        FramerDriver.ForEverySplit(() => new LengthFieldFramer(), data, (outcome, split) =>
        {
            Assert.True(payloads.Length == outcome.Frames.Count, split);
            for (var i = 0; i < payloads.Length; i++)
            {
                Assert.True(payloads[i].AsSpan().SequenceEqual(outcome.Frames[i]), $"{split}: frame {i}");
            }

            Assert.Equal(0, outcome.Unconsumed);
        });
    }

    [Theory]
    [InlineData(LengthFieldFormat.OneByte, false)]
    [InlineData(LengthFieldFormat.TwoBytes, false)]
    [InlineData(LengthFieldFormat.TwoBytes, true)]
    [InlineData(LengthFieldFormat.FourBytes, true)]
    [InlineData(LengthFieldFormat.EightBytes, false)]
    [InlineData(LengthFieldFormat.EightBytes, true)]
    [InlineData(LengthFieldFormat.VarInt, false)]
    public void Every_field_format_round_trips(LengthFieldFormat format, bool littleEndian)
    {
        var options = new LengthFieldFramerOptions { Format = format, LittleEndian = littleEndian };
        var payloads = new[] { Bytes("a"), Bytes(new string('b', 200)), [] };
        var data = FramerDriver.Encode(new LengthFieldFramer(options), payloads);
        FramerDriver.ForEverySplit(() => new LengthFieldFramer(options), data, (outcome, split) =>
        {
            Assert.True(outcome.Frames.Count == 3, split);
            Assert.Equal(payloads[1], outcome.Frames[1]);
        });
    }

    [Fact]
    public void Field_bytes_follow_the_chosen_byte_order()
    {
        var big = FramerDriver.Encode(new LengthFieldFramer(new() { Format = LengthFieldFormat.TwoBytes }), Bytes("abc"));
        var little = FramerDriver.Encode(new LengthFieldFramer(new() { Format = LengthFieldFormat.TwoBytes, LittleEndian = true }), Bytes("abc"));
        Assert.Equal(new byte[] { 0, 3 }, big[..2]);
        Assert.Equal(new byte[] { 3, 0 }, little[..2]);
    }

    [Fact]
    public void Varint_of_300_is_two_bytes()
    {
        var data = FramerDriver.Encode(new LengthFieldFramer(new() { Format = LengthFieldFormat.VarInt }), new byte[300]);
        Assert.Equal(new byte[] { 0xAC, 0x02 }, data[..2]);
        Assert.Equal(302, data.Length);
    }

    [Fact]
    public void Netty_example_offset_two_adjustment_minus_four_keeps_the_whole_frame()
    {
        // HDR1 0xCAFE | Length 0x0010 (counts the whole frame) | "HELLO, WORLD"
        var data = new byte[] { 0xCA, 0xFE, 0x00, 0x10 }.Concat(Bytes("HELLO, WORLD")).ToArray();
        var options = new LengthFieldFramerOptions
        {
            Format = LengthFieldFormat.TwoBytes, LengthFieldOffset = 2, LengthAdjustment = -4, InitialBytesToStrip = 0,
        };
        FramerDriver.ForEverySplit(() => new LengthFieldFramer(options), data, (outcome, split) =>
        {
            Assert.True(outcome.Frames.Count == 1, split);
            Assert.Equal(data, outcome.Frames[0]);
        });
    }

    [Fact]
    public void Netty_example_length_then_header_then_content_strips_the_length()
    {
        // Length 0x000C | HDR2 0xFE | "HELLO, WORLD"; adjustment 1 for the header byte, strip 2 (the length).
        var data = new byte[] { 0x00, 0x0C, 0xFE }.Concat(Bytes("HELLO, WORLD")).ToArray();
        var options = new LengthFieldFramerOptions { Format = LengthFieldFormat.TwoBytes, LengthAdjustment = 1, InitialBytesToStrip = 2 };
        var outcome = FramerDriver.Decode(new LengthFieldFramer(options), data, []);
        Assert.Single(outcome.Frames);
        Assert.Equal(data[2..], outcome.Frames[0]);
    }

    [Fact]
    public void Too_long_frame_throws_under_the_close_policy()
    {
        var options = new LengthFieldFramerOptions { MaxFrameLength = 10 };
        var data = FramerDriver.Encode(new LengthFieldFramer(), new byte[7]); // 4 + 7 = 11 > 10
        var error = Assert.IsType<FrameTooLongException>(FramerDriver.Decode(new LengthFieldFramer(options), data, []).Error);
        Assert.Equal(11, error.FrameLength);
        Assert.Equal(10, error.MaxFrameLength);
        Assert.IsAssignableFrom<ProtocolException>(error);
    }

    [Fact]
    public void Maximum_size_frame_is_accepted_and_counts_the_header()
    {
        var options = new LengthFieldFramerOptions { MaxFrameLength = 10 };
        var data = FramerDriver.Encode(new LengthFieldFramer(), new byte[6]); // exactly 10
        var outcome = FramerDriver.Decode(new LengthFieldFramer(options), data, []);
        Assert.Single(outcome.Frames);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Discard_policy_skips_the_too_long_frame_and_delivers_the_next(bool failFast)
    {
        var options = new LengthFieldFramerOptions { MaxFrameLength = 10, TooLongFramePolicy = TooLongFramePolicy.Discard, FailFast = failFast };
        var data = FramerDriver.Encode(new LengthFieldFramer(), Bytes("ok1"), Bytes("this one is far too long"), Bytes("ok2"));
        FramerDriver.ForEverySplit(() => new LengthFieldFramer(options), data, (outcome, split) =>
        {
            Assert.True(outcome.Frames.Select(Encoding.ASCII.GetString).SequenceEqual(["ok1", "ok2"]), split);
            Assert.True(outcome.Skipped.Count == 1, split);
            Assert.Equal(28, outcome.Skipped[0].FrameLength);
            Assert.Equal(0, outcome.Unconsumed);
        });
    }

    [Fact]
    public void Adjusted_length_below_the_header_is_malformed()
    {
        var options = new LengthFieldFramerOptions { LengthAdjustment = -10 };
        var data = new byte[] { 0, 0, 0, 2, 1, 2 };
        Assert.IsType<MalformedFrameException>(FramerDriver.Decode(new LengthFieldFramer(options), data, []).Error);
    }

    [Fact]
    public void Varint_longer_than_ten_bytes_is_malformed()
    {
        var options = new LengthFieldFramerOptions { Format = LengthFieldFormat.VarInt };
        var data = Enumerable.Repeat((byte)0x80, 11).ToArray();
        Assert.IsType<MalformedFrameException>(FramerDriver.Decode(new LengthFieldFramer(options), data, []).Error);
    }

    [Fact]
    public void Eight_byte_length_above_long_max_is_malformed()
    {
        var options = new LengthFieldFramerOptions { Format = LengthFieldFormat.EightBytes };
        var data = new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF };
        Assert.IsType<MalformedFrameException>(FramerDriver.Decode(new LengthFieldFramer(options), data, []).Error);
    }

    [Fact]
    public void Partial_frame_needs_more_data_and_consumes_nothing()
    {
        var data = FramerDriver.Encode(new LengthFieldFramer(), Bytes("abcdef"));
        var outcome = FramerDriver.Decode(new LengthFieldFramer(), data[..7], []);
        Assert.Empty(outcome.Frames);
        Assert.Equal(7, outcome.Unconsumed);
    }

    [Fact]
    public void Bad_options_are_rejected_by_name()
    {
        var error = Assert.Throws<ArgumentException>(() => new LengthFieldFramer(new() { LengthFieldOffset = -1 }));
        Assert.Contains(nameof(LengthFieldFramerOptions.LengthFieldOffset), error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new LengthFieldFramer(new() { MaxFrameLength = 0 }));
    }

    [Fact]
    public void Encoding_a_payload_too_long_for_the_field_throws()
    {
        var framer = new LengthFieldFramer(new() { Format = LengthFieldFormat.OneByte });
        Assert.Throws<ArgumentException>(() => FramerDriver.Encode(framer, new byte[256]));
    }
}
