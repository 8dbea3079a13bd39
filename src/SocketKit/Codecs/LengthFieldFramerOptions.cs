namespace SocketKit.Codecs;

/// <summary>
/// Settings of <see cref="LengthFieldFramer"/>, with the meaning of Netty's
/// <c>LengthFieldBasedFrameDecoder</c>: the frame length on the wire is
/// <c>LengthFieldOffset + size of the length field + value of the field + LengthAdjustment</c>.
/// </summary>
public sealed class LengthFieldFramerOptions
{
    /// <summary>The encoding of the length field. Defaults to <see cref="LengthFieldFormat.FourBytes"/>.</summary>
    public LengthFieldFormat Format { get; set; } = LengthFieldFormat.FourBytes;

    /// <summary>Whether a fixed-size length field is little-endian. Defaults to <see langword="false"/> (big-endian, network order).</summary>
    public bool LittleEndian { get; set; }

    /// <summary>Bytes before the length field in each frame's header. Defaults to 0.</summary>
    public int LengthFieldOffset { get; set; }

    /// <summary>
    /// Added to the field's value to get the bytes that follow the length field: use a negative
    /// value when the length counts the header too (e.g. -4 for a 4-byte length that includes itself). Defaults to 0.
    /// </summary>
    public int LengthAdjustment { get; set; }

    /// <summary>
    /// Bytes removed from the front of each decoded frame. Defaults to -1, meaning "the whole header"
    /// (<see cref="LengthFieldOffset"/> plus the length field), so the handler sees only the payload.
    /// </summary>
    public int InitialBytesToStrip { get; set; } = -1;

    /// <summary>
    /// The maximum frame length in bytes, counting the whole frame on the wire including its header
    /// (as Netty does). A security setting: it bounds the memory one connection can make the server buffer.
    /// Defaults to 1 MiB.
    /// </summary>
    public int MaxFrameLength { get; set; } = 1024 * 1024;

    /// <summary>What to do with a too-long frame. Defaults to <see cref="TooLongFramePolicy.Close"/>.</summary>
    public TooLongFramePolicy TooLongFramePolicy { get; set; } = TooLongFramePolicy.Close;

    /// <summary>
    /// With <see cref="TooLongFramePolicy.Discard"/>: report the skip as soon as the length field shows the
    /// frame is too long (<see langword="true"/>), or after all its bytes were discarded. Defaults to <see langword="true"/>.
    /// </summary>
    public bool FailFast { get; set; } = true;

    /// <summary>A copy, so a factory is not changed by later edits to these options.</summary>
    internal LengthFieldFramerOptions Clone() => (LengthFieldFramerOptions)MemberwiseClone();
}
