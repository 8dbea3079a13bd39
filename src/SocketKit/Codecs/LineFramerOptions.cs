namespace SocketKit.Codecs;

/// <summary>Settings of <see cref="LineFramer"/>.</summary>
public sealed class LineFramerOptions
{
    /// <summary>The maximum line length in bytes, not counting the line ending. A security setting. Defaults to 64 KiB.</summary>
    public int MaxLineLength { get; set; } = 64 * 1024;

    /// <summary>The line ending <see cref="LineFramer.Encode"/> writes: <c>"\n"</c> or <c>"\r\n"</c>. Defaults to <c>"\n"</c>.</summary>
    public string NewLine { get; set; } = "\n";

    /// <summary>What to do with a too-long line. Defaults to <see cref="TooLongFramePolicy.Close"/>.</summary>
    public TooLongFramePolicy TooLongFramePolicy { get; set; } = TooLongFramePolicy.Close;

    /// <summary>
    /// Under <see cref="TooLongFramePolicy.Discard"/>: whether a too-long line is reported as soon as it passes the
    /// maximum (<see langword="true"/>), or only once its line ending arrives. Either way its bytes are dropped as they
    /// come. Defaults to <see langword="true"/>, like <see cref="LengthFieldFramerOptions.FailFast"/>.
    /// </summary>
    public bool FailFast { get; set; } = true;

    /// <summary>
    /// Whether the line ending is removed from decoded lines. <see langword="false"/> keeps it (<c>"\n"</c> or
    /// <c>"\r\n"</c>, as received), like Netty's <c>LineBasedFrameDecoder</c> with <c>stripDelimiter = false</c>.
    /// Defaults to <see langword="true"/>.
    /// </summary>
    public bool StripLineEnding { get; set; } = true;

    /// <summary>A copy, so a factory is not changed by later edits to these options.</summary>
    internal LineFramerOptions Clone() => (LineFramerOptions)MemberwiseClone();
}
