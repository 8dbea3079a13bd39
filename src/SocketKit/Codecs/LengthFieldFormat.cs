namespace SocketKit.Codecs;

/// <summary>How a length field is encoded on the wire.</summary>
public enum LengthFieldFormat
{
    /// <summary>One unsigned byte.</summary>
    OneByte = 1,

    /// <summary>Two bytes, unsigned.</summary>
    TwoBytes = 2,

    /// <summary>Three bytes, unsigned (up to 16 MiB - 1), as Netty allows.</summary>
    ThreeBytes = 3,

    /// <summary>Four bytes, unsigned.</summary>
    FourBytes = 4,

    /// <summary>Eight bytes, unsigned (values above <see cref="long.MaxValue"/> are malformed).</summary>
    EightBytes = 8,

    /// <summary>An unsigned LEB128 varint (protobuf style): 7 bits per byte, low group first, at most 10 bytes.</summary>
    VarInt = 0,
}
