using System.Text;
using SocketKit.Codecs;
using SocketKit.Testing;
using SocketKit.Tests.Infrastructure;

namespace SocketKit.Tests.Codecs;

public class DelimiterAndLineFramerTests
{
    private static byte[] Bytes(string s) => Encoding.ASCII.GetBytes(s);

    private static string[] Texts(FramerResult outcome) => outcome.Frames.Select(Encoding.ASCII.GetString).ToArray();

    private static DelimiterFramerOptions Options(params string[] delimiters)
    {
        var options = new DelimiterFramerOptions();
        foreach (var d in delimiters)
        {
            options.Delimiters.Add(Bytes(d));
        }

        return options;
    }

    [Fact]
    public void Delimiter_frames_under_every_split()
    {
        var data = Bytes("ABC\0DEF\0\0G");
        FramerDriver.ForEverySplit(() => new DelimiterFramer(Options("\0")), data, (outcome, split) =>
        {
            Assert.True(Texts(outcome).SequenceEqual(["ABC", "DEF", ""]), split);
            Assert.Equal(1, outcome.Unconsumed); // "G" waits for its delimiter
        });
    }

    [Fact]
    public void With_several_delimiters_the_shortest_frame_wins_in_any_order()
    {
        var data = Bytes("ab;cd|ef\r\ngh;");
        foreach (var order in new[] { new[] { ";", "|", "\r\n" }, ["\r\n", "|", ";"] })
        {
            FramerDriver.ForEverySplit(() => new DelimiterFramer(Options(order)), data, (outcome, split) =>
                Assert.True(Texts(outcome).SequenceEqual(["ab", "cd", "ef", "gh"]), split));
        }
    }

    [Fact]
    public void A_tie_between_prefix_delimiters_goes_to_the_longest_when_both_have_arrived()
    {
        var data = Bytes("ab||cd|");
        foreach (var order in new[] { new[] { "||", "|" }, ["|", "||"] })
        {
            var outcome = FramerDriver.Decode(new DelimiterFramer(Options(order)), data, []);
            Assert.Equal(["ab", "cd"], Texts(outcome));
        }
    }

    [Fact]
    public void Multi_byte_delimiter_split_across_reads_is_found()
    {
        var data = Bytes("hello<END>world<END>");
        FramerDriver.ForEverySplit(() => new DelimiterFramer(Options("<END>")), data, (outcome, split) =>
            Assert.True(Texts(outcome).SequenceEqual(["hello", "world"]), split));
    }

    [Fact]
    public void Delimiter_can_be_kept()
    {
        var options = Options(";");
        options.StripDelimiter = false;
        var outcome = FramerDriver.Decode(new DelimiterFramer(options), Bytes("a;b;"), []);
        Assert.Equal(["a;", "b;"], Texts(outcome));
    }

    [Fact]
    public void Too_long_frame_throws_under_the_close_policy_even_before_its_delimiter()
    {
        var options = Options("\n");
        options.MaxFrameLength = 4;
        Assert.IsType<FrameTooLongException>(FramerDriver.Decode(new DelimiterFramer(options), Bytes("abcdefgh"), []).Error);
        Assert.IsType<FrameTooLongException>(FramerDriver.Decode(new DelimiterFramer(options), Bytes("abcde\n"), []).Error);
    }

    [Fact]
    public void Maximum_length_frame_is_accepted_without_its_delimiter_counted()
    {
        var options = Options("\r\n");
        options.MaxFrameLength = 4;
        var data = Bytes("abcd\r\n");
        FramerDriver.ForEverySplit(() => new DelimiterFramer(options), data, (outcome, split) =>
            Assert.True(Texts(outcome).SequenceEqual(["abcd"]), split));
    }

    [Fact]
    public void Discard_policy_drops_the_too_long_frame_and_carries_on()
    {
        var options = Options("\n");
        options.MaxFrameLength = 4;
        options.TooLongFramePolicy = TooLongFramePolicy.Discard;
        var data = Bytes("ok\nthis is far too long\nfine\n");
        FramerDriver.ForEverySplit(() => new DelimiterFramer(options), data, (outcome, split) =>
        {
            Assert.True(Texts(outcome).SequenceEqual(["ok", "fine"]), split);
            Assert.True(outcome.Skipped.Count == 1, split);
            Assert.Equal(0, outcome.Unconsumed);
        });
    }

    [Fact]
    public void Lines_accept_lf_and_crlf_and_keep_a_lone_cr()
    {
        var data = Bytes("one\ntwo\r\nth\rree\n\n");
        FramerDriver.ForEverySplit(() => new LineFramer(), data, (outcome, split) =>
            Assert.True(Texts(outcome).SequenceEqual(["one", "two", "th\rree", ""]), split));
    }

    [Fact]
    public void A_cr_split_from_its_lf_across_reads_still_ends_the_line()
    {
        var data = Bytes("abc\r\ndef\r\n");
        var outcome = FramerDriver.Decode(new LineFramer(), data, [4]); // "abc\r" | "\ndef\r\n"
        Assert.Equal(["abc", "def"], Texts(outcome));
    }

    [Fact]
    public void Line_too_long_is_reported_with_the_line_length()
    {
        var framer = new LineFramer(new LineFramerOptions { MaxLineLength = 3, TooLongFramePolicy = TooLongFramePolicy.Discard });
        var outcome = FramerDriver.Decode(framer, Bytes("abcdef\nxy\n"), []);
        Assert.Equal(["xy"], Texts(outcome));
        Assert.Equal(6, Assert.Single(outcome.Skipped).FrameLength);
    }

    [Fact]
    public void Lines_encode_with_the_chosen_newline()
    {
        Assert.Equal(Bytes("hi\n"), FramerDriver.Encode(new LineFramer(), Bytes("hi")));
        Assert.Equal(Bytes("hi\r\n"), FramerDriver.Encode(new LineFramer(new LineFramerOptions { NewLine = "\r\n" }), Bytes("hi")));
    }

    [Fact]
    public void Empty_or_missing_delimiters_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => new DelimiterFramer(new DelimiterFramerOptions()));
        Assert.Throws<ArgumentException>(() => new DelimiterFramer(Options("")));
        Assert.Throws<ArgumentException>(() => new LineFramer(new LineFramerOptions { NewLine = "\r" }));
    }
}
