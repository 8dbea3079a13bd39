using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;

namespace SocketKit.Codecs;

/// <summary>
/// Frames by a length field in a header, with the semantics of Netty's <c>LengthFieldBasedFrameDecoder</c>;
/// <see cref="Encode"/> is the matching length prepender.
/// </summary>
/// <remarks>
/// <para>The default: a 4-byte big-endian length of the payload, header stripped.</para>
/// <code>
/// BEFORE DECODE (16 bytes)                AFTER DECODE (12 bytes)
/// +--------+----------------+             +----------------+
/// | Length | Actual Content |   -----&gt;    | Actual Content |
/// | 0x000C | "HELLO, WORLD" |             | "HELLO, WORLD" |
/// +--------+----------------+             +----------------+
/// </code>
/// <para>A 2-byte length after a 2-byte header, counting the whole frame (offset 2, adjustment -4), nothing stripped:</para>
/// <code>
/// BEFORE DECODE (16 bytes)                        AFTER DECODE (16 bytes)
/// +--------+--------+----------------+            +--------+--------+----------------+
/// | HDR1   | Length | Actual Content |  -----&gt;    | HDR1   | Length | Actual Content |
/// | 0xCAFE | 0x0010 | "HELLO, WORLD" |            | 0xCAFE | 0x0010 | "HELLO, WORLD" |
/// +--------+--------+----------------+            +--------+--------+----------------+
/// </code>
/// <para>
/// <see cref="Framer.MaxFrameLength"/> counts the whole frame including its header. A length that is
/// negative after adjustment, or a varint longer than 10 bytes, is a <see cref="MalformedFrameException"/>.
/// <see cref="Encode"/> needs <see cref="LengthFieldFramerOptions.LengthFieldOffset"/> 0 and writes
/// <c>length = payload length - LengthAdjustment</c> followed by the payload, so a stripped decode gives the payload back.
/// </para>
/// </remarks>
public sealed class LengthFieldFramer : Framer
{
    private const int MaxVarIntLength = 10;
    private readonly LengthFieldFormat _format;
    private readonly bool _littleEndian;
    private readonly int _offset;
    private readonly int _adjustment;
    private readonly int _strip;
    private readonly TooLongFramePolicy _policy;
    private readonly bool _failFast;
    private long _bytesToDiscard;
    private long _discardedFrameLength;

    /// <summary>Creates a framer with default options (4-byte big-endian length, header stripped, 1 MiB maximum).</summary>
    public LengthFieldFramer()
        : this(new LengthFieldFramerOptions())
    {
    }

    /// <summary>Creates a framer with the given options.</summary>
    /// <param name="options">The settings; validated here.</param>
    /// <exception cref="ArgumentException">An option is out of range; the message names it.</exception>
    public LengthFieldFramer(LengthFieldFramerOptions options)
        : base(Validate(options).MaxFrameLength)
    {
        _format = options.Format;
        _littleEndian = options.LittleEndian;
        _offset = options.LengthFieldOffset;
        _adjustment = options.LengthAdjustment;
        _strip = options.InitialBytesToStrip; // negative: the whole header, whose size a varint decides per frame
        _policy = options.TooLongFramePolicy;
        _failFast = options.FailFast;
    }

    /// <inheritdoc />
    public override int MaxOverheadLength => _offset + FieldSize(_format);

    /// <inheritdoc />
    public override FrameStatus Decode(ref ReadOnlySequence<byte> input, out ReadOnlySequence<byte> frame)
    {
        frame = default;
        if (_bytesToDiscard > 0)
        {
            var discarded = Math.Min(_bytesToDiscard, input.Length);
            input = input.Slice(discarded);
            _bytesToDiscard -= discarded;
            if (_bytesToDiscard > 0)
            {
                return FrameStatus.NeedMoreData;
            }

            if (!_failFast)
            {
                SkippedFrame = new FrameTooLongException(_discardedFrameLength, MaxFrameLength);
                return FrameStatus.Skipped;
            }
        }

        if (!TryReadLength(input, out var length, out var fieldEnd))
        {
            return FrameStatus.NeedMoreData;
        }

        var frameLength = length + _adjustment + fieldEnd;
        if (frameLength < fieldEnd)
        {
            throw new MalformedFrameException(string.Create(CultureInfo.InvariantCulture,
                $"Adjusted frame length ({frameLength}) is less than the header length ({fieldEnd})."));
        }

        if (frameLength > MaxFrameLength)
        {
            return TooLong(ref input, frameLength);
        }

        if (input.Length < frameLength)
        {
            return FrameStatus.NeedMoreData;
        }

        var strip = _strip < 0 ? fieldEnd : _strip;
        if (strip > frameLength)
        {
            throw new MalformedFrameException(string.Create(CultureInfo.InvariantCulture,
                $"Frame length ({frameLength}) is less than the bytes to strip ({strip})."));
        }

        frame = input.Slice(strip, frameLength - strip);
        input = input.Slice(frameLength);
        return FrameStatus.Frame;
    }

    /// <summary>
    /// Writes the length field (<c>payload length - LengthAdjustment</c>, so Netty's <c>LengthFieldPrepender</c> with
    /// <c>lengthAdjustment = -LengthAdjustment</c>) and then the payload.
    /// </summary>
    /// <param name="payload">The encoded message.</param>
    /// <param name="output">Where the frame is written.</param>
    /// <exception cref="NotSupportedException"><see cref="LengthFieldFramerOptions.LengthFieldOffset"/> is not 0.</exception>
    /// <exception cref="ArgumentException">
    /// The payload is shorter than a positive <see cref="LengthFieldFramerOptions.LengthAdjustment"/>, or its length does not fit the
    /// length field (255 for one byte, 65,535 for two, 16,777,215 for three, 4,294,967,295 for four).
    /// </exception>
    public override void Encode(ReadOnlySpan<byte> payload, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (_offset != 0)
        {
            throw new NotSupportedException("Encoding needs LengthFieldOffset 0; write the header bytes before the length yourself.");
        }

        var length = (long)payload.Length - _adjustment;
        if (length < 0)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"The payload ({payload.Length} bytes) is shorter than LengthAdjustment ({_adjustment}): the length field would be negative."), nameof(payload));
        }

        var header = output.GetSpan(FieldSize(_format) + payload.Length);
        var written = WriteLength(header, length);
        payload.CopyTo(header[written..]);
        output.Advance(written + payload.Length);
    }

    /// <inheritdoc />
    public override void Reset()
    {
        base.Reset();
        _bytesToDiscard = 0;
        _discardedFrameLength = 0;
    }

    private FrameStatus TooLong(ref ReadOnlySequence<byte> input, long frameLength)
    {
        var error = new FrameTooLongException(frameLength, MaxFrameLength);
        if (_policy == TooLongFramePolicy.Close)
        {
            throw error;
        }

        var discarded = Math.Min(frameLength, input.Length);
        input = input.Slice(discarded);
        _bytesToDiscard = frameLength - discarded;
        _discardedFrameLength = frameLength;
        if (_failFast || _bytesToDiscard == 0)
        {
            SkippedFrame = error;
            return FrameStatus.Skipped;
        }

        return FrameStatus.NeedMoreData;
    }

    private bool TryReadLength(in ReadOnlySequence<byte> input, out long length, out int fieldEnd)
    {
        length = 0;
        fieldEnd = 0;
        if (_format == LengthFieldFormat.VarInt)
        {
            return TryReadVarInt(input, out length, out fieldEnd);
        }

        var size = (int)_format;
        fieldEnd = _offset + size;
        if (input.Length < fieldEnd)
        {
            return false;
        }

        Span<byte> field = stackalloc byte[8];
        field = field[..size];
        input.Slice(_offset, size).CopyTo(field);
        length = _format switch
        {
            LengthFieldFormat.OneByte => field[0],
            LengthFieldFormat.TwoBytes => _littleEndian ? BinaryPrimitives.ReadUInt16LittleEndian(field) : BinaryPrimitives.ReadUInt16BigEndian(field),
            LengthFieldFormat.ThreeBytes => _littleEndian ? field[0] | (field[1] << 8) | (field[2] << 16) : (field[0] << 16) | (field[1] << 8) | field[2],
            LengthFieldFormat.FourBytes => _littleEndian ? BinaryPrimitives.ReadUInt32LittleEndian(field) : BinaryPrimitives.ReadUInt32BigEndian(field),
            _ => ReadUInt64(field),
        };
        return true;
    }

    private long ReadUInt64(ReadOnlySpan<byte> field)
    {
        var value = _littleEndian ? BinaryPrimitives.ReadUInt64LittleEndian(field) : BinaryPrimitives.ReadUInt64BigEndian(field);
        if (value > long.MaxValue)
        {
            throw new MalformedFrameException(string.Create(CultureInfo.InvariantCulture, $"Length field value {value} is out of range."));
        }

        return (long)value;
    }

    private bool TryReadVarInt(in ReadOnlySequence<byte> input, out long length, out int fieldEnd)
    {
        length = 0;
        fieldEnd = 0;
        if (input.Length <= _offset)
        {
            return false;
        }

        var reader = new SequenceReader<byte>(input);
        reader.Advance(_offset);
        ulong value = 0;
        for (var i = 0; i < MaxVarIntLength; i++)
        {
            if (!reader.TryRead(out var b))
            {
                return false;
            }

            var group = (ulong)(b & 0x7F);
            if (i == MaxVarIntLength - 1 && group > 1)
            {
                throw new MalformedFrameException("Varint length field overflows 64 bits.");
            }

            value |= group << (7 * i);
            if ((b & 0x80) == 0)
            {
                if (value > long.MaxValue)
                {
                    throw new MalformedFrameException("Varint length field is out of range.");
                }

                length = (long)value;
                fieldEnd = _offset + i + 1;
                return true;
            }
        }

        throw new MalformedFrameException("Varint length field is longer than 10 bytes.");
    }

    private int WriteLength(Span<byte> destination, long length)
    {
        switch (_format)
        {
            case LengthFieldFormat.OneByte:
                CheckFits(length, byte.MaxValue);
                destination[0] = (byte)length;
                return 1;
            case LengthFieldFormat.TwoBytes:
                CheckFits(length, ushort.MaxValue);
                if (_littleEndian) { BinaryPrimitives.WriteUInt16LittleEndian(destination, (ushort)length); }
                else { BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)length); }
                return 2;
            case LengthFieldFormat.ThreeBytes:
                CheckFits(length, 0xFF_FFFF);
                destination[_littleEndian ? 0 : 2] = (byte)length;
                destination[1] = (byte)(length >> 8);
                destination[_littleEndian ? 2 : 0] = (byte)(length >> 16);
                return 3;
            case LengthFieldFormat.FourBytes:
                CheckFits(length, uint.MaxValue);
                if (_littleEndian) { BinaryPrimitives.WriteUInt32LittleEndian(destination, (uint)length); }
                else { BinaryPrimitives.WriteUInt32BigEndian(destination, (uint)length); }
                return 4;
            case LengthFieldFormat.EightBytes:
                if (_littleEndian) { BinaryPrimitives.WriteUInt64LittleEndian(destination, (ulong)length); }
                else { BinaryPrimitives.WriteUInt64BigEndian(destination, (ulong)length); }
                return 8;
            default:
                var value = (ulong)length;
                var i = 0;
                while (value >= 0x80)
                {
                    destination[i++] = (byte)(value | 0x80);
                    value >>= 7;
                }

                destination[i++] = (byte)value;
                return i;
        }
    }

    private static void CheckFits(long length, long max)
    {
        if (length > max)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Length {length} does not fit the length field (max {max})."), nameof(length));
        }
    }

    private static int FieldSize(LengthFieldFormat format) => format == LengthFieldFormat.VarInt ? MaxVarIntLength : (int)format;

    private static LengthFieldFramerOptions Validate(LengthFieldFramerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!Enum.IsDefined(options.Format))
        {
            throw new ArgumentException($"{nameof(LengthFieldFramerOptions.Format)} must be OneByte, TwoBytes, ThreeBytes, FourBytes, EightBytes or VarInt.", nameof(options));
        }

        if (options.LengthFieldOffset < 0)
        {
            throw new ArgumentException($"{nameof(LengthFieldFramerOptions.LengthFieldOffset)} must not be negative.", nameof(options));
        }

        if (options.MaxFrameLength <= 0)
        {
            throw new ArgumentException($"{nameof(LengthFieldFramerOptions.MaxFrameLength)} must be positive.", nameof(options));
        }

        if (options.TooLongFramePolicy is not (TooLongFramePolicy.Close or TooLongFramePolicy.Discard))
        {
            throw new ArgumentException($"{nameof(LengthFieldFramerOptions.TooLongFramePolicy)} is not a known policy.", nameof(options));
        }

        return options;
    }
}
