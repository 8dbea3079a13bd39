using System.Buffers;
using SocketKit.Codecs;

namespace SocketKit.Testing;

/// <summary>
/// Drives a <see cref="Framer"/> exactly as a connection does, to test your own framers without a socket: the input
/// arrives in reads, the bytes not yet consumed are offered again with each read (as one multi-segment sequence),
/// <see cref="Framer.Decode"/> runs until it needs more data, and the end of the input is judged as the connection
/// judges a FIN. What would close the connection is reported in <see cref="FramerResult.Error"/>, not thrown.
/// </summary>
/// <example>
/// <code>
/// FramerDriver.ForEverySplit(() => new MyFramer(), input, (result, split) =>
///     Assert.Equal(expectedFrames, result.Frames));
/// </code>
/// </example>
public static class FramerDriver
{
    /// <summary>
    /// Decodes <paramref name="input"/> arriving as reads that end at <paramref name="cuts"/> (ascending offsets; the
    /// last read ends at the end of the input), then ends the input.
    /// </summary>
    /// <param name="framer">A fresh framer (framers keep state between reads).</param>
    /// <param name="input">Every byte the peer sends.</param>
    /// <param name="cuts">Where reads end; empty for one read of everything.</param>
    /// <returns>What a connection would have made of the input.</returns>
    public static FramerResult Decode(Framer framer, byte[] input, IEnumerable<int> cuts) => Decode(framer, input, cuts, onFrame: null);

    /// <summary>
    /// Decodes <paramref name="input"/> as <see cref="Decode(Framer, byte[], IEnumerable{int})"/> does, and calls
    /// <paramref name="onFrame"/> with each frame as soon as it is cut, while the framer is as the connection would
    /// hand it to the decoder: the way to test an <see cref="IFramerAwareDecoder{T}"/> (or any decoder) under every split.
    /// </summary>
    /// <param name="framer">A fresh framer (framers keep state between reads).</param>
    /// <param name="input">Every byte the peer sends.</param>
    /// <param name="cuts">Where reads end; empty for one read of everything.</param>
    /// <param name="onFrame">Runs on each frame before the input moves on (decode it here); an exception it throws is reported like the framer's own.</param>
    /// <returns>What a connection would have made of the input.</returns>
    public static FramerResult Decode(Framer framer, byte[] input, IEnumerable<int> cuts, Action<ReadOnlySequence<byte>>? onFrame)
    {
        ArgumentNullException.ThrowIfNull(framer);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(cuts);
        var frames = new List<byte[]>();
        var skipped = new List<FrameTooLongException>();
        var reads = new List<byte[]>();
        var consumed = 0L;
        var previous = 0;
        foreach (var cut in cuts.Append(input.Length).Distinct().Where(c => c > 0))
        {
            if (cut < previous || cut > input.Length)
            {
                throw new ArgumentException($"Cuts must be ascending offsets within the input; {cut} is not.", nameof(cuts));
            }

            reads.Add(input[previous..cut]);
            previous = cut;
            var buffer = SegmentedSequence.Create(reads).Slice(consumed);
            while (true)
            {
                var before = buffer.Length;
                FrameStatus status;
                ReadOnlySequence<byte> frame;
                try
                {
                    status = framer.Decode(ref buffer, out frame);
                    if (status == FrameStatus.Frame && buffer.Length != before)
                    {
                        onFrame?.Invoke(frame);
                    }
                }
                catch (Exception e)
                {
                    // The connection closes with ProtocolError; a ProtocolException as it is, anything else wrapped.
                    var error = e as ProtocolException ?? new MalformedFrameException($"The framer threw {e.GetType().Name}: {e.Message}", e);
                    return new FramerResult(frames, skipped, error, input.Length - consumed);
                }

                if (status != FrameStatus.NeedMoreData && buffer.Length == before)
                {
                    return new FramerResult(frames, skipped, new InvalidOperationException(
                        $"{framer.GetType().Name}.Decode returned {status} without consuming a byte; it would loop forever."), input.Length - consumed);
                }

                consumed += before - buffer.Length;
                if (status == FrameStatus.Frame)
                {
                    frames.Add(frame.ToArray());
                }
                else if (status == FrameStatus.Skipped)
                {
                    skipped.Add(framer.SkippedFrame ?? new FrameTooLongException(-1, framer.MaxFrameLength));
                }
                else
                {
                    break;
                }
            }

            var buffered = input.Length - consumed - (input.Length - previous);
            if (buffered > (long)framer.MaxFrameLength + framer.MaxOverheadLength)
            {
                // A connection's input buffer holds one maximum frame and its overhead: it would stop reading here.
                return new FramerResult(frames, skipped, new InvalidOperationException(
                    $"{framer.GetType().Name} needs more data with {buffered} bytes unconsumed, more than MaxFrameLength ({framer.MaxFrameLength}) + " +
                    $"MaxOverheadLength ({framer.MaxOverheadLength}): over a connection, the input would stall. Consume, skip or reject a frame that long, or declare its overhead."),
                    buffered);
            }
        }

        return new FramerResult(frames, skipped, null, input.Length - consumed);
    }

    /// <summary>The ways the tests of SocketKit's own framers split input: one read, one byte per read, and every two-read split.</summary>
    /// <param name="length">The input's length.</param>
    /// <returns>Each split's name and where its reads end.</returns>
    public static IEnumerable<(string Name, int[] Cuts)> Splits(int length)
    {
        yield return ("one segment", []);
        yield return ("one byte per read", Enumerable.Range(1, Math.Max(0, length - 1)).ToArray());
        for (var i = 1; i < length; i++)
        {
            yield return ($"split at {i}", [i]);
        }
    }

    /// <summary>
    /// Decodes <paramref name="input"/> with a fresh framer under every split of <see cref="Splits"/>, and runs
    /// <paramref name="check"/> on each result: a framer must give the same answer however the bytes arrive.
    /// </summary>
    /// <param name="create">Creates a fresh framer.</param>
    /// <param name="input">Every byte the peer sends.</param>
    /// <param name="check">Asserts on one result; the second argument names the split, for the failure message.</param>
    public static void ForEverySplit(Func<Framer> create, byte[] input, Action<FramerResult, string> check)
    {
        ArgumentNullException.ThrowIfNull(create);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(check);
        foreach (var (name, cuts) in Splits(input.Length))
        {
            check(Decode(create(), input, cuts), name);
        }
    }

    /// <summary>Encodes payloads one after another, as a connection's sends would put them on the wire.</summary>
    /// <param name="framer">The framer.</param>
    /// <param name="payloads">The encoded messages.</param>
    /// <returns>The bytes on the wire.</returns>
    public static byte[] Encode(Framer framer, params byte[][] payloads)
    {
        ArgumentNullException.ThrowIfNull(framer);
        ArgumentNullException.ThrowIfNull(payloads);
        var writer = new ArrayBufferWriter<byte>();
        foreach (var payload in payloads)
        {
            framer.Encode(payload, writer);
        }

        return writer.WrittenSpan.ToArray();
    }
}
