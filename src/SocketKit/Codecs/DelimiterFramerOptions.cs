namespace SocketKit.Codecs;

/// <summary>Settings of <see cref="DelimiterFramer"/>.</summary>
public sealed class DelimiterFramerOptions
{
    /// <summary>
    /// The delimiters; a frame ends at the first of them found. When several match, the one giving the
    /// shortest frame wins (on a tie, the longest delimiter). The first one is written by <see cref="DelimiterFramer.Encode"/>. Required.
    /// </summary>
    public IList<byte[]> Delimiters { get; private set; } = new List<byte[]>();

    /// <summary>Whether the delimiter is removed from decoded frames. Defaults to <see langword="true"/>.</summary>
    public bool StripDelimiter { get; set; } = true;

    /// <summary>
    /// The maximum frame length in bytes, not counting the delimiter. A security setting. Defaults to 64 KiB.
    /// </summary>
    public int MaxFrameLength { get; set; } = 64 * 1024;

    /// <summary>What to do with a too-long frame. Defaults to <see cref="TooLongFramePolicy.Close"/>.</summary>
    public TooLongFramePolicy TooLongFramePolicy { get; set; } = TooLongFramePolicy.Close;

    /// <summary>
    /// Under <see cref="TooLongFramePolicy.Discard"/>: whether a too-long frame is reported as soon as it passes the
    /// maximum (<see langword="true"/>, Netty's <c>failFast</c>), or only once its delimiter arrives. Either way its
    /// bytes are dropped as they come. Defaults to <see langword="true"/>.
    /// </summary>
    public bool FailFast { get; set; } = true;

    /// <summary>A copy (delimiters included), so a factory is not changed by later edits to these options.</summary>
    internal DelimiterFramerOptions Clone()
    {
        var copy = (DelimiterFramerOptions)MemberwiseClone();
        copy.Delimiters = Delimiters.Select(d => (byte[])d.Clone()).ToList();
        return copy;
    }
}
