using System.Buffers;

namespace SocketKit.Codecs;

/// <summary>
/// Frames text lines ended by LF or CRLF; the line ending is removed (unless <see cref="LineFramerOptions.StripLineEnding"/>
/// is off). A CR that arrives in one read and
/// its LF in the next still end the line as CRLF. A lone CR inside a line is kept as content.
/// </summary>
/// <remarks>
/// <code>
/// BEFORE DECODE                        AFTER DECODE
/// +-------+------+-------+----+        +-------+   +-------+
/// | "ABC" | \r\n | "DEF" | \n |  ---&gt; | "ABC" |   | "DEF" |
/// +-------+------+-------+----+        +-------+   +-------+
/// </code>
/// <see cref="Framer.MaxFrameLength"/> counts the line without its ending.
/// </remarks>
public sealed class LineFramer : Framer
{
    private static readonly byte[] Lf = "\n"u8.ToArray();
    private static readonly byte[] CrLf = "\r\n"u8.ToArray();
    private readonly DelimiterFramer _inner;

    /// <summary>Creates a framer with default options (64 KiB maximum line, LF written).</summary>
    public LineFramer()
        : this(new LineFramerOptions())
    {
    }

    /// <summary>Creates a framer with the given options.</summary>
    /// <param name="options">The settings; validated here.</param>
    /// <exception cref="ArgumentException">An option is out of range; the message names it.</exception>
    public LineFramer(LineFramerOptions options)
        : base(Validate(options).MaxLineLength)
    {
        var delimiters = new DelimiterFramerOptions
        {
            MaxFrameLength = options.MaxLineLength,
            TooLongFramePolicy = options.TooLongFramePolicy,
            FailFast = options.FailFast,
            StripDelimiter = options.StripLineEnding,
        };
        // The first delimiter is the one written; the search finds either.
        delimiters.Delimiters.Add(options.NewLine == "\r\n" ? CrLf : Lf);
        delimiters.Delimiters.Add(options.NewLine == "\r\n" ? Lf : CrLf);
        _inner = new DelimiterFramer(delimiters);
    }

    /// <inheritdoc />
    public override int MaxOverheadLength => 2;

    /// <inheritdoc />
    public override FrameStatus Decode(ref ReadOnlySequence<byte> input, out ReadOnlySequence<byte> frame)
    {
        var status = _inner.Decode(ref input, out frame);
        if (status == FrameStatus.Skipped)
        {
            SkippedFrame = _inner.SkippedFrame;
        }

        return status;
    }

    /// <inheritdoc />
    public override void Encode(ReadOnlySpan<byte> payload, IBufferWriter<byte> output) => _inner.Encode(payload, output);

    /// <inheritdoc />
    public override void Reset()
    {
        base.Reset();
        _inner.Reset();
    }

    private static LineFramerOptions Validate(LineFramerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.NewLine is not ("\n" or "\r\n"))
        {
            throw new ArgumentException($"{nameof(LineFramerOptions.NewLine)} must be \"\\n\" or \"\\r\\n\".", nameof(options));
        }

        if (options.MaxLineLength <= 0)
        {
            throw new ArgumentException($"{nameof(LineFramerOptions.MaxLineLength)} must be positive.", nameof(options));
        }

        return options;
    }
}
