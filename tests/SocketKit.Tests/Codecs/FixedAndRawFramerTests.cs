using System.Text;
using SocketKit.Codecs;
using SocketKit.Testing;
using SocketKit.Tests.Infrastructure;

namespace SocketKit.Tests.Codecs;

public class FixedAndRawFramerTests
{
    [Fact]
    public void Fixed_length_cuts_equal_frames_under_every_split()
    {
        var data = Encoding.ASCII.GetBytes("ABCDEFGHIJ");
        FramerDriver.ForEverySplit(() => new FixedLengthFramer(3), data, (outcome, split) =>
        {
            Assert.True(outcome.Frames.Select(Encoding.ASCII.GetString).SequenceEqual(["ABC", "DEF", "GHI"]), split);
            Assert.Equal(1, outcome.Unconsumed);
        });
    }

    [Fact]
    public void Fixed_length_refuses_to_encode_a_payload_of_another_length()
    {
        Assert.Throws<ArgumentException>(() => FramerDriver.Encode(new FixedLengthFramer(3), new byte[2]));
        Assert.Equal(new byte[] { 1, 2, 3 }, FramerDriver.Encode(new FixedLengthFramer(3), [1, 2, 3]));
    }

    [Fact]
    public void Raw_delivers_every_byte_in_order_under_every_split()
    {
        var data = Enumerable.Range(0, 50).Select(i => (byte)i).ToArray();
        FramerDriver.ForEverySplit(() => new RawFramer(16), data, (outcome, split) =>
        {
            Assert.True(data.SequenceEqual(outcome.Frames.SelectMany(f => f)), split);
            Assert.All(outcome.Frames, f => Assert.InRange(f.Length, 1, 16));
        });
    }
}
