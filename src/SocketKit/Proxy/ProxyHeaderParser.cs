using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Numerics;
using System.Text;

namespace SocketKit.Proxy;

/// <summary>
/// Parses a PROXY protocol header (HAProxy's specification, v1 text and v2 binary) from the front of a connection's
/// input. Pure: it is called again with more bytes until it answers, and it answers as soon as the bytes so far decide
/// (every check is made at a fixed position), so the answer does not depend on how the bytes were split.
/// </summary>
internal static class ProxyHeaderParser
{
    /// <summary>The longest v1 header, CRLF included (section 2.1).</summary>
    public const int V1MaxLength = 107;

    private const int V2FixedLength = 16;

    private static ReadOnlySpan<byte> V1Signature => "PROXY "u8;

    private static ReadOnlySpan<byte> V2Signature => [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];

    /// <summary>
    /// The header at the front of <paramref name="input"/>, or <see langword="null"/> if more bytes are needed. Its
    /// <see cref="ProxyHeader.Length"/> is how many bytes it used; what follows belongs to the connection.
    /// </summary>
    /// <exception cref="ProxyProtocolException">The bytes are not a valid header, or it is longer than <paramref name="maxLength"/>.</exception>
    public static ProxyHeader? TryParse(in ReadOnlySequence<byte> input, int maxLength)
    {
        if (input.IsEmpty)
        {
            return null;
        }

        Span<byte> fixedPart = stackalloc byte[V2FixedLength];
        var available = (int)Math.Min(input.Length, V2FixedLength);
        input.Slice(0, available).CopyTo(fixedPart);
        var start = fixedPart[..available];
        if (IsPrefix(start, V1Signature))
        {
            return available < V1Signature.Length ? null : ParseV1(input, maxLength);
        }

        if (IsPrefix(start, V2Signature))
        {
            return available < V2FixedLength ? null : ParseV2(input, fixedPart, maxLength);
        }

        throw Malformed("The connection does not start with a PROXY protocol header.");
    }

    /// <summary>PP2_TYPE_SSL: client flags, verify result, then sub-records (version, CN, cipher, ...).</summary>
    internal static ProxySslInfo ParseSsl(ReadOnlySpan<byte> value)
    {
        if (value.Length < 5)
        {
            throw Malformed("The SSL record is shorter than its 5 fixed bytes.");
        }

        string? version = null, commonName = null, cipher = null;
        foreach (var (type, sub, _) in Records(value[5..]))
        {
            switch (type)
            {
                case 0x21:
                    version = Encoding.ASCII.GetString(sub);
                    break;
                case 0x22:
                    commonName = Encoding.UTF8.GetString(sub);
                    break;
                case 0x23:
                    cipher = Encoding.ASCII.GetString(sub);
                    break;
            }
        }

        return new ProxySslInfo(value[0], BinaryPrimitives.ReadUInt32BigEndian(value[1..]), version, commonName, cipher);
    }

    /// <summary>"PROXY TCP4|TCP6 SOURCE DESTINATION SPORT DPORT\r\n" or "PROXY UNKNOWN ...\r\n", single spaces.</summary>
    private static ProxyHeader? ParseV1(in ReadOnlySequence<byte> input, int maxLength)
    {
        var limit = Math.Min(V1MaxLength, maxLength);
        var window = input.Slice(0, Math.Min(input.Length, limit));
        if (window.PositionOf((byte)'\n') is not { } lineFeed)
        {
            return window.Length >= limit ? throw Malformed($"A v1 header has no CRLF within {limit} bytes.") : null;
        }

        var line = window.Slice(0, lineFeed).ToArray();
        if (line.Length == 0 || line[^1] != '\r')
        {
            throw Malformed("A v1 header ends in a bare LF.");
        }

        var text = line.AsSpan(0, line.Length - 1);
        if (text.IndexOfAnyExceptInRange((byte)0x20, (byte)0x7E) >= 0)
        {
            throw Malformed("A v1 header has a character that is not printable ASCII.");
        }

        var fields = Encoding.ASCII.GetString(text).Split(' ');
        var length = line.Length + 1;
        if (fields.Length >= 2 && fields[1] == "UNKNOWN")
        {
            return new ProxyHeader(1, isLocal: true, null, null, [], length); // the rest of the line is ignored (section 2.1)
        }

        var family = fields.Length >= 2 ? fields[1] switch { "TCP4" => AddressFamily.InterNetwork, "TCP6" => AddressFamily.InterNetworkV6, _ => AddressFamily.Unknown } : AddressFamily.Unknown;
        if (fields.Length != 6 || family == AddressFamily.Unknown)
        {
            throw Malformed("A v1 header must be PROXY TCP4|TCP6 SOURCE DESTINATION SPORT DPORT, single spaces, or PROXY UNKNOWN.");
        }

        var source = new IPEndPoint(V1Address(fields[2], family), V1Port(fields[4]));
        var destination = new IPEndPoint(V1Address(fields[3], family), V1Port(fields[5]));
        return new ProxyHeader(1, isLocal: false, source, destination, [], length);
    }

    private static IPAddress V1Address(string text, AddressFamily family)
    {
        // Strict forms only: four decimal octets without leading zeros for TCP4 (IPAddress.Parse alone takes "1" or "010"),
        // hexadecimal groups without a scope for TCP6.
        var valid = family == AddressFamily.InterNetwork
            ? text.Split('.') is { Length: 4 } octets && octets.All(o => o.Length is > 0 and <= 3 && o.All(char.IsAsciiDigit) && (o.Length == 1 || o[0] != '0') && int.Parse(o, System.Globalization.CultureInfo.InvariantCulture) <= 255)
            : text.Length > 0 && text.All(c => char.IsAsciiHexDigit(c) || c is ':' or '.');
        if (!valid || !IPAddress.TryParse(text, out var address) || address.AddressFamily != family)
        {
            throw Malformed($"\"{text}\" is not an {(family == AddressFamily.InterNetwork ? "IPv4" : "IPv6")} address.");
        }

        return address;
    }

    private static int V1Port(string text) =>
        text.Length is > 0 and <= 5 && text.All(char.IsAsciiDigit) && (text.Length == 1 || text[0] != '0') && int.Parse(text, System.Globalization.CultureInfo.InvariantCulture) is var port and <= 65535
            ? port
            : throw Malformed($"\"{text}\" is not a port.");

    /// <summary>The 12-byte signature, version and command, family and protocol, length; addresses; then TLV records.</summary>
    private static ProxyHeader? ParseV2(in ReadOnlySequence<byte> input, ReadOnlySpan<byte> fixedPart, int maxLength)
    {
        if (fixedPart[12] >> 4 != 2)
        {
            throw Malformed($"Version {fixedPart[12] >> 4} of the binary header is not 2.");
        }

        var command = fixedPart[12] & 0x0F;
        if (command > 1)
        {
            throw Malformed($"Command {command} is neither LOCAL (0) nor PROXY (1).");
        }

        var family = fixedPart[13] >> 4;
        var protocol = fixedPart[13] & 0x0F;
        if (family > 3 || protocol > 2)
        {
            throw Malformed($"Address family {family} or protocol {protocol} is not defined.");
        }

        var length = V2FixedLength + BinaryPrimitives.ReadUInt16BigEndian(fixedPart[14..]);
        if (length > maxLength)
        {
            throw Malformed($"The header's {length} bytes are more than the {maxLength} allowed.");
        }

        if (input.Length < length)
        {
            return null;
        }

        var header = input.Slice(0, length).ToArray();
        var addressLength = family switch { 1 => 12, 2 => 36, 3 => 216, _ => 0 };
        if (length - V2FixedLength < addressLength)
        {
            throw Malformed($"The header's length leaves less than the {addressLength} bytes of its address family.");
        }

        var recordsStart = V2FixedLength + addressLength;
        var tlvs = new List<ProxyTlv>();
        foreach (var (type, value, offset) in Records(header.AsSpan(recordsStart)))
        {
            tlvs.Add(new ProxyTlv(type, value));
            if (type == 0x03)
            {
                CheckCrc32C(header, value.Length, recordsStart + offset);
            }
        }

        // LOCAL is the proxy's own connection (a health check); UNSPEC and UNIX carry no IP client: the connection keeps
        // the proxy's addresses (section 2.2).
        if (command == 0 || family is 0 or 3 || protocol == 0)
        {
            return new ProxyHeader(2, isLocal: true, null, null, tlvs, length);
        }

        var addresses = header.AsSpan(V2FixedLength, addressLength);
        var size = family == 1 ? 4 : 16;
        var source = new IPEndPoint(new IPAddress(addresses[..size]), BinaryPrimitives.ReadUInt16BigEndian(addresses[(2 * size)..]));
        var destination = new IPEndPoint(new IPAddress(addresses[size..(2 * size)]), BinaryPrimitives.ReadUInt16BigEndian(addresses[(2 * size + 2)..]));
        return new ProxyHeader(2, isLocal: false, source, destination, tlvs, length);
    }

    /// <summary>PP2_TYPE_CRC32C: the CRC-32C of the whole header with the checksum's own four bytes (at <paramref name="valueAt"/>) as zeros.</summary>
    private static void CheckCrc32C(byte[] header, int valueLength, int valueAt)
    {
        if (valueLength != 4)
        {
            throw Malformed("The CRC32C record is not 4 bytes.");
        }

        var expected = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(valueAt));
        var crc = uint.MaxValue;
        for (var i = 0; i < header.Length; i++)
        {
            crc = BitOperations.Crc32C(crc, i >= valueAt && i < valueAt + 4 ? (byte)0 : header[i]);
        }

        if (~crc != expected)
        {
            throw Malformed("The header's CRC32C does not match.");
        }
    }

    /// <summary>type (1 byte), length (2 bytes, big-endian), value: each record must fit what is left. Offsets are of each value in <paramref name="records"/>.</summary>
    private static List<(byte Type, byte[] Value, int Offset)> Records(ReadOnlySpan<byte> records)
    {
        var result = new List<(byte, byte[], int)>();
        for (var at = 0; at < records.Length;)
        {
            if (records.Length - at < 3)
            {
                throw Malformed("A TLV record is cut short in its header.");
            }

            var length = BinaryPrimitives.ReadUInt16BigEndian(records[(at + 1)..]);
            if (records.Length - at - 3 < length)
            {
                throw Malformed("A TLV record's value runs past the end of the header.");
            }

            result.Add((records[at], records.Slice(at + 3, length).ToArray(), at + 3));
            at += 3 + length;
        }

        return result;
    }

    private static bool IsPrefix(ReadOnlySpan<byte> start, ReadOnlySpan<byte> signature) =>
        signature[..Math.Min(start.Length, signature.Length)].SequenceEqual(start[..Math.Min(start.Length, signature.Length)]) && start.Length > 0;

    private static ProxyProtocolException Malformed(string message) => new(message);
}
