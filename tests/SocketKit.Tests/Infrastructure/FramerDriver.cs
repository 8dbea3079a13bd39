using System.Buffers;
using SocketKit.Codecs;

namespace SocketKit.Tests.Infrastructure;

/// <summary>
/// Feeds a framer the way a connection does: bytes arrive in chunks, the unconsumed bytes are offered again with
/// each arrival (as a multi-segment sequence), and decoding runs until the framer needs more data.
/// </summary>
public static class FramerDriver
{
    public sealed record Outcome(List<byte[]> Frames, List<FrameTooLongException> Skipped, long Unconsumed);

    /// <summary>Decodes <paramref name="data"/> arriving split at <paramref name="cuts"/> (offsets, ascending).</summary>
    public static Outcome Decode(Framer framer, byte[] data, IEnumerable<int> cuts)
    {
        var frames = new List<byte[]>();
        var skipped = new List<FrameTooLongException>();
        var chunks = new List<byte[]>();
        var consumed = 0L; // bytes of `chunks` already consumed
        var previous = 0;
        foreach (var cut in cuts.Append(data.Length).Distinct().Where(c => c > 0))
        {
            chunks.Add(data[previous..cut]);
            previous = cut;
            var buffer = Sequences.FromChunks(chunks).Slice(consumed);
            while (true)
            {
                var before = buffer.Length;
                var status = framer.Decode(ref buffer, out var frame);
                if (status != FrameStatus.NeedMoreData && buffer.Length == before)
                {
                    throw new InvalidOperationException($"The framer returned {status} without consuming a byte: it would loop forever.");
                }

                if (status == FrameStatus.Frame)
                {
                    frames.Add(frame.ToArray());
                }
                else if (status == FrameStatus.Skipped)
                {
                    skipped.Add(framer.SkippedFrame!);
                }
                else
                {
                    consumed += before - buffer.Length;
                    break;
                }

                consumed += before - buffer.Length;
            }
        }

        return new Outcome(frames, skipped, data.Length - consumed);
    }

    /// <summary>The split strategies every framer is tested with: one segment, one byte per read, and every two-way split.</summary>
    public static IEnumerable<(string Name, int[] Cuts)> Splits(int length)
    {
        yield return ("one segment", []);
        yield return ("one byte per read", Enumerable.Range(1, Math.Max(0, length - 1)).ToArray());
        for (var i = 1; i < length; i++)
        {
            yield return ($"split at {i}", [i]);
        }
    }

    /// <summary>Runs <paramref name="check"/> for a fresh framer under every split strategy.</summary>
    public static void ForEverySplit(Func<Framer> create, byte[] data, Action<Outcome, string> check)
    {
        foreach (var (name, cuts) in Splits(data.Length))
        {
            check(Decode(create(), data, cuts), name);
        }
    }

    public static byte[] Encode(Framer framer, params byte[][] payloads)
    {
        var writer = new ArrayBufferWriter<byte>();
        foreach (var payload in payloads)
        {
            framer.Encode(payload, writer);
        }

        return writer.WrittenSpan.ToArray();
    }
}
