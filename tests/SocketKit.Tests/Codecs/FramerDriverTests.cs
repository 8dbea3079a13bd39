using System.Buffers;
using SocketKit.Codecs;
using SocketKit.Testing;

namespace SocketKit.Tests.Codecs;

/// <summary>SocketKit.Testing's framer driver judges a user's framer as a connection would.</summary>
public sealed class FramerDriverTests
{
    [Fact]
    public void A_framer_that_throws_something_else_is_reported_as_a_malformed_frame()
    {
        var result = FramerDriver.Decode(new ThrowingFramer(), [1, 2, 3], []);

        var error = Assert.IsType<MalformedFrameException>(result.Error);
        Assert.IsType<InvalidCastException>(error.InnerException);
    }

    [Fact]
    public void A_frame_that_consumes_nothing_is_an_error_not_a_hang()
    {
        var result = FramerDriver.Decode(new StuckFramer(), [1, 2, 3], []);

        Assert.Contains("without consuming a byte", Assert.IsType<InvalidOperationException>(result.Error).Message);
    }

    [Fact]
    public void A_framer_that_buffers_beyond_a_maximum_frame_and_its_overhead_would_stall_a_connection()
    {
        // Frames of 3 bytes and a terminator, but the framer only ever waits: the input grows past max + overhead.
        var result = FramerDriver.Decode(new WaitingFramer(), new byte[10], [1, 2, 3, 4, 5, 6, 7, 8, 9]);

        Assert.Contains("would stall", Assert.IsType<InvalidOperationException>(result.Error).Message);
    }

    [Fact]
    public void Input_that_ends_inside_a_frame_is_told_apart_from_a_clean_end()
    {
        var framer = () => new FixedLengthFramer(4);

        Assert.False(FramerDriver.Decode(framer(), new byte[8], [3]).EndedInsideFrame);
        var cut = FramerDriver.Decode(framer(), new byte[6], [3]);
        Assert.True(cut.EndedInsideFrame);
        Assert.Equal(2, cut.Unconsumed);
        Assert.Single(cut.Frames);
    }

    private sealed class ThrowingFramer() : Framer(16)
    {
        public override int MaxOverheadLength => 0;

        public override FrameStatus Decode(ref ReadOnlySequence<byte> input, out ReadOnlySequence<byte> frame) => throw new InvalidCastException("boom");

        public override void Encode(ReadOnlySpan<byte> payload, IBufferWriter<byte> output) => output.Write(payload);
    }

    private sealed class StuckFramer() : Framer(16)
    {
        public override int MaxOverheadLength => 0;

        public override FrameStatus Decode(ref ReadOnlySequence<byte> input, out ReadOnlySequence<byte> frame)
        {
            frame = input.Slice(0, 0);
            return FrameStatus.Frame;
        }

        public override void Encode(ReadOnlySpan<byte> payload, IBufferWriter<byte> output) => output.Write(payload);
    }

    private sealed class WaitingFramer() : Framer(3)
    {
        public override int MaxOverheadLength => 1;

        public override FrameStatus Decode(ref ReadOnlySequence<byte> input, out ReadOnlySequence<byte> frame)
        {
            frame = default;
            return FrameStatus.NeedMoreData;
        }

        public override void Encode(ReadOnlySpan<byte> payload, IBufferWriter<byte> output) => output.Write(payload);
    }
}
