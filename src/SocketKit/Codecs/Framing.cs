namespace SocketKit.Codecs;

/// <summary>
/// Factories for the built-in framers. Each takes a copy of its options when it is made: changing the options object
/// afterwards changes nothing (every connection's framer, and the buffer sizing, stay consistent).
/// </summary>
public static class Framing
{
    /// <summary>Frames by a length field (<see cref="LengthFieldFramer"/>).</summary>
    /// <param name="options">Settings, or <see langword="null"/> for a 4-byte big-endian payload length and a 1 MiB maximum.</param>
    /// <returns>The factory.</returns>
    public static FramerFactory LengthField(LengthFieldFramerOptions? options = null)
    {
        var o = options?.Clone() ?? new LengthFieldFramerOptions();
        return new FramerFactory(() => new LengthFieldFramer(o));
    }

    /// <summary>Frames by delimiters (<see cref="DelimiterFramer"/>).</summary>
    /// <param name="options">Settings; at least one delimiter.</param>
    /// <returns>The factory.</returns>
    public static FramerFactory Delimiter(DelimiterFramerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var o = options.Clone();
        return new FramerFactory(() => new DelimiterFramer(o));
    }

    /// <summary>Frames by text lines (<see cref="LineFramer"/>).</summary>
    /// <param name="options">Settings, or <see langword="null"/> for the defaults.</param>
    /// <returns>The factory.</returns>
    public static FramerFactory Lines(LineFramerOptions? options = null)
    {
        var o = options?.Clone() ?? new LineFramerOptions();
        return new FramerFactory(() => new LineFramer(o));
    }

    /// <summary>Frames of a fixed length (<see cref="FixedLengthFramer"/>).</summary>
    /// <param name="frameLength">The length of every frame.</param>
    /// <returns>The factory.</returns>
    public static FramerFactory FixedLength(int frameLength) => new(() => new FixedLengthFramer(frameLength));

    /// <summary>No framing (<see cref="RawFramer"/>).</summary>
    /// <param name="maxChunkLength">The largest chunk delivered at once. Defaults to 64 KiB.</param>
    /// <returns>The factory.</returns>
    public static FramerFactory Raw(int maxChunkLength = 64 * 1024) => new(() => new RawFramer(maxChunkLength));
}
