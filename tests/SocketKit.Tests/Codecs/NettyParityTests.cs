using System.Buffers;
using System.Text;
using SocketKit.Codecs;
using SocketKit.Testing;
using SocketKit.Tests.Infrastructure;

namespace SocketKit.Tests.Codecs;

/// <summary>What Netty's decoders offer and SocketKit's framers now match: 3-byte lengths, fail-fast discards, kept line endings, snapshotted options.</summary>
public class NettyParityTests
{
    private static byte[] Bytes(string s) => Encoding.ASCII.GetBytes(s);

    [Theory]
    [InlineData(false, new byte[] { 0x01, 0x00, 0x02 })]
    [InlineData(true, new byte[] { 0x02, 0x00, 0x01 })]
    public void A_three_byte_length_field_round_trips_in_either_byte_order(bool littleEndian, byte[] header)
    {
        var options = new LengthFieldFramerOptions { Format = LengthFieldFormat.ThreeBytes, LittleEndian = littleEndian, MaxFrameLength = 1 << 20 };
        var payload = new byte[0x010002];
        new Random(3).NextBytes(payload);
        var written = new ArrayBufferWriter<byte>();

        new LengthFieldFramer(options).Encode(payload, written);

        Assert.Equal(header, written.WrittenSpan[..3].ToArray());
        foreach (var cuts in new[] { [], new[] { 1 }, [2], [3], [1, 2, 3, 4, 40_000] }) // inside the field, and in the payload
        {
            var outcome = FramerDriver.Decode(new LengthFieldFramer(options), written.WrittenSpan.ToArray(), cuts);
            Assert.True(outcome.Frames.Count == 1 && outcome.Frames[0].AsSpan().SequenceEqual(payload), string.Join(",", cuts));
            Assert.Equal(0, outcome.Unconsumed);
        }
    }

    [Fact]
    public void A_three_byte_length_field_refuses_a_payload_over_16_MiB()
    {
        var framer = new LengthFieldFramer(new LengthFieldFramerOptions { Format = LengthFieldFormat.ThreeBytes, MaxFrameLength = 32 << 20 });
        var e = Assert.Throws<ArgumentException>(() => framer.Encode(new byte[1 << 24], new ArrayBufferWriter<byte>()));
        Assert.Contains("16777215", e.Message);
    }

    [Fact]
    public void The_prepender_names_the_adjustment_a_short_payload_falls_under()
    {
        var framer = new LengthFieldFramer(new LengthFieldFramerOptions { LengthAdjustment = 4 });
        var e = Assert.Throws<ArgumentException>(() => framer.Encode(new byte[3], new ArrayBufferWriter<byte>()));
        Assert.Contains("shorter than LengthAdjustment (4)", e.Message);
    }

    [Theory]
    [InlineData(true, 1)]  // reported as soon as the frame passes the maximum
    [InlineData(false, 0)] // reported only when its delimiter arrives
    public void A_too_long_delimited_frame_in_discard_mode_is_reported_when_fail_fast_says(bool failFast, int reportedBeforeDelimiter)
    {
        var options = new DelimiterFramerOptions { MaxFrameLength = 8, TooLongFramePolicy = TooLongFramePolicy.Discard, FailFast = failFast };
        options.Delimiters.Add(Bytes("\0"));
        var framer = new DelimiterFramer(options);

        var before = FramerDriver.Decode(framer, Bytes("0123456789ABCDEF"), []);
        Assert.Equal(reportedBeforeDelimiter, before.Skipped.Count);
        Assert.Empty(before.Frames);

        var after = FramerDriver.Decode(framer, Bytes("GHI\0ok\0"), []);
        Assert.Equal(1 - reportedBeforeDelimiter, after.Skipped.Count); // one report per too-long frame, either way
        Assert.Equal(["ok"], after.Frames.Select(Encoding.ASCII.GetString));
    }

    [Fact]
    public void A_too_long_line_fails_fast_by_default_under_discard()
    {
        var framer = new LineFramer(new LineFramerOptions { MaxLineLength = 4, TooLongFramePolicy = TooLongFramePolicy.Discard });

        var outcome = FramerDriver.Decode(framer, Bytes("this line is far too long"), []);

        Assert.Single(outcome.Skipped);
        Assert.Equal(["next"], FramerDriver.Decode(framer, Bytes(" still\nnext\n"), []).Frames.Select(Encoding.ASCII.GetString));
    }

    [Fact]
    public void Line_endings_can_be_kept_as_received()
    {
        var data = Bytes("crlf\r\nlf\n");
        FramerDriver.ForEverySplit(() => new LineFramer(new LineFramerOptions { StripLineEnding = false }), data, (outcome, split) =>
            Assert.True(outcome.Frames.Select(Encoding.ASCII.GetString).SequenceEqual(["crlf\r\n", "lf\n"]), split));
    }

    [Fact]
    public void A_factory_keeps_the_options_it_was_made_with()
    {
        var lengthOptions = new LengthFieldFramerOptions { MaxFrameLength = 100 };
        var lineOptions = new LineFramerOptions { MaxLineLength = 100 };
        var delimiterOptions = new DelimiterFramerOptions { MaxFrameLength = 100 };
        delimiterOptions.Delimiters.Add(Bytes("|"));
        var factories = new[] { Framing.LengthField(lengthOptions), Framing.Lines(lineOptions), Framing.Delimiter(delimiterOptions) };

        lengthOptions.MaxFrameLength = lineOptions.MaxLineLength = delimiterOptions.MaxFrameLength = 1_000_000;
        delimiterOptions.Delimiters[0] = Bytes("#");

        Assert.All(factories, factory =>
        {
            Assert.Equal(100, factory.MaxFrameLength);
            Assert.Equal(100, factory.Create().MaxFrameLength); // the pipe sizing and every connection's framer agree
        });
        Assert.Equal(["a"], FramerDriver.Decode(factories[2].Create(), Bytes("a|b#"), []).Frames.Select(Encoding.ASCII.GetString));
    }
}
