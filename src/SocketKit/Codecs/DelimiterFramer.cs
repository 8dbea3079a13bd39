using System.Buffers;

namespace SocketKit.Codecs;

/// <summary>
/// Frames by one or several delimiter byte sequences. The shortest frame wins (on a tie, the longest delimiter), so with
/// <c>"\r\n"</c> and <c>"\n"</c> both configured, <c>"ab\r\n"</c> gives <c>"ab"</c>.
/// </summary>
/// <remarks>
/// <code>
/// BEFORE DECODE (delimiter "\0")       AFTER DECODE (delimiter stripped)
/// +-------+----+-------+----+          +-------+   +-------+
/// | "ABC" | \0 | "DEF" | \0 |  -----&gt;  | "ABC" |   | "DEF" |
/// +-------+----+-------+----+          +-------+   +-------+
/// </code>
/// <para>
/// <see cref="Framer.MaxFrameLength"/> counts the frame without its delimiter. The search resumes where
/// the previous call stopped, so a large frame arriving in many reads is scanned once.
/// When one delimiter is a prefix of another ("|" and "||"), which one matches can depend on how the bytes
/// arrive: avoid such sets. In discard mode the bytes of a too-long frame are dropped as they arrive (never buffered) until the
/// next delimiter; it is reported as soon as it passes the maximum (<see cref="DelimiterFramerOptions.FailFast"/>, the default)
/// or once that delimiter arrives.
/// </para>
/// </remarks>
public sealed class DelimiterFramer : Framer
{
    private readonly byte[][] _delimiters;
    private readonly int _longestDelimiter;
    private readonly bool _strip;
    private readonly TooLongFramePolicy _policy;
    private readonly bool _failFast;
    private long _searched;
    private bool _discarding;
    private long _discarded;

    /// <summary>Creates a framer with the given options.</summary>
    /// <param name="options">The settings; validated here.</param>
    /// <exception cref="ArgumentException">No delimiter, an empty delimiter, or a bad maximum; the message names it.</exception>
    public DelimiterFramer(DelimiterFramerOptions options)
        : base(Validate(options).MaxFrameLength)
    {
        _delimiters = options.Delimiters.Select(d => (byte[])d.Clone()).ToArray();
        _longestDelimiter = _delimiters.Max(d => d.Length);
        _strip = options.StripDelimiter;
        _policy = options.TooLongFramePolicy;
        _failFast = options.FailFast;
    }

    /// <inheritdoc />
    public override int MaxOverheadLength => _longestDelimiter;

    /// <inheritdoc />
    public override FrameStatus Decode(ref ReadOnlySequence<byte> input, out ReadOnlySequence<byte> frame)
    {
        frame = default;
        var start = Math.Max(0, _searched - (_longestDelimiter - 1));
        var (index, delimiterLength) = FindFirst(input, start);
        if (index < 0)
        {
            return NoDelimiter(ref input);
        }

        _searched = 0;
        if (_discarding)
        {
            // The delimiter ends the too-long frame being discarded.
            _discarding = false;
            var total = _discarded + index;
            _discarded = 0;
            input = input.Slice(index + delimiterLength);
            if (_failFast)
            {
                return Decode(ref input, out frame); // reported when it passed the maximum: go on with the next frame
            }

            SkippedFrame = new FrameTooLongException(total, MaxFrameLength);
            return FrameStatus.Skipped;
        }

        if (index > MaxFrameLength)
        {
            var error = new FrameTooLongException(index, MaxFrameLength);
            if (_policy == TooLongFramePolicy.Close)
            {
                throw error;
            }

            input = input.Slice(index + delimiterLength);
            SkippedFrame = error;
            return FrameStatus.Skipped;
        }

        frame = input.Slice(0, _strip ? index : index + delimiterLength);
        input = input.Slice(index + delimiterLength);
        return FrameStatus.Frame;
    }

    /// <inheritdoc />
    public override void Encode(ReadOnlySpan<byte> payload, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var delimiter = _delimiters[0];
        var span = output.GetSpan(payload.Length + delimiter.Length);
        payload.CopyTo(span);
        delimiter.CopyTo(span[payload.Length..]);
        output.Advance(payload.Length + delimiter.Length);
    }

    /// <inheritdoc />
    public override void Reset()
    {
        base.Reset();
        _searched = 0;
        _discarding = false;
        _discarded = 0;
    }

    private FrameStatus NoDelimiter(ref ReadOnlySequence<byte> input)
    {
        if (_discarding)
        {
            // Drop all but a possible delimiter prefix at the end.
            var drop = Math.Max(0, input.Length - (_longestDelimiter - 1));
            _discarded += drop;
            input = input.Slice(drop);
            _searched = input.Length;
            return FrameStatus.NeedMoreData;
        }

        // Without a delimiter, a frame longer than the maximum is certain once more than
        // max + (longest delimiter - 1) bytes are buffered.
        if (input.Length > MaxFrameLength + (long)_longestDelimiter - 1)
        {
            if (_policy == TooLongFramePolicy.Close)
            {
                throw new FrameTooLongException(input.Length, MaxFrameLength);
            }

            _discarding = true;
            _discarded = 0;
            var tooLong = input.Length;
            NoDelimiter(ref input);
            if (_failFast)
            {
                SkippedFrame = new FrameTooLongException(tooLong, MaxFrameLength); // at least this long; reported now
                return FrameStatus.Skipped;
            }

            return FrameStatus.NeedMoreData;
        }

        _searched = input.Length;
        return FrameStatus.NeedMoreData;
    }

    private (long Index, int DelimiterLength) FindFirst(in ReadOnlySequence<byte> input, long start)
    {
        long best = -1;
        var bestLength = 0;
        if (input.IsSingleSegment)
        {
            var span = input.FirstSpan;
            foreach (var delimiter in _delimiters)
            {
                var searchIn = span[(int)start..];
                if (best >= 0)
                {
                    // Only a match that starts no later can win.
                    searchIn = searchIn[..(int)Math.Min(searchIn.Length, best - start + delimiter.Length)];
                }

                var found = searchIn.IndexOf(delimiter);
                if (found >= 0 && Wins(start + found, delimiter.Length, best, bestLength))
                {
                    best = start + found;
                    bestLength = delimiter.Length;
                }
            }

            return (best, bestLength);
        }

        foreach (var delimiter in _delimiters)
        {
            var reader = new SequenceReader<byte>(input);
            reader.Advance(start);
            if (reader.TryReadTo(out ReadOnlySequence<byte> _, delimiter, advancePastDelimiter: false))
            {
                var found = reader.Consumed;
                if (Wins(found, delimiter.Length, best, bestLength))
                {
                    best = found;
                    bestLength = delimiter.Length;
                }
            }
        }

        return (best, bestLength);
    }

    // The earliest match wins; on a tie the longest delimiter, so the result does not depend on their order.
    private static bool Wins(long index, int length, long best, int bestLength) =>
        best < 0 || index < best || (index == best && length > bestLength);

    private static DelimiterFramerOptions Validate(DelimiterFramerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Delimiters.Count == 0 || options.Delimiters.Any(d => d is null || d.Length == 0))
        {
            throw new ArgumentException($"{nameof(DelimiterFramerOptions.Delimiters)} must hold at least one non-empty delimiter.", nameof(options));
        }

        if (options.MaxFrameLength <= 0)
        {
            throw new ArgumentException($"{nameof(DelimiterFramerOptions.MaxFrameLength)} must be positive.", nameof(options));
        }

        if (options.TooLongFramePolicy is not (TooLongFramePolicy.Close or TooLongFramePolicy.Discard))
        {
            throw new ArgumentException($"{nameof(DelimiterFramerOptions.TooLongFramePolicy)} is not a known policy.", nameof(options));
        }

        return options;
    }
}
