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
}
