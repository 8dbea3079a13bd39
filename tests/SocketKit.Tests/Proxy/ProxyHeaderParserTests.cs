using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Numerics;
using System.Text;
using SocketKit.Proxy;

namespace SocketKit.Tests.Proxy;

/// <summary>
/// The PROXY protocol parser (HAProxy's specification v1 and v2) on valid and malformed headers. The parser is called
/// again with more bytes until it answers, so each header is also fed a byte at a time: the first answer must be the
/// answer for the whole input, whatever follows the header must be left alone.
/// </summary>
public class ProxyHeaderParserTests
{
    private static readonly byte[] Signature = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];

    /// <summary>What the parser answers for <paramref name="input"/>, checked to be its first answer as bytes arrive one by one.</summary>
    private static (ProxyHeader? Header, ProxyProtocolException? Error) Parse(byte[] input, int maxLength = 4096)
    {
        var whole = Answer(input, input.Length, maxLength);
        for (var arrived = 0; arrived <= input.Length; arrived++)
        {
            var early = Answer(input, arrived, maxLength);
            if (early.Header is null && early.Error is null)
            {
                continue; // needs more
            }

            Assert.Equal(Describe(whole), Describe(early));
            return whole;
        }

        return whole;
    }

    private static (ProxyHeader? Header, ProxyProtocolException? Error) Answer(byte[] input, int arrived, int maxLength)
    {
        try
        {
            // Bytes arrive in two segments, so a header split across them is parsed as a connection would see it.
            var half = arrived / 2;
            var sequence = SocketKit.Testing.SegmentedSequence.Create([input[..half], input[half..arrived]]);
            return (ProxyHeaderParser.TryParse(sequence, maxLength), null);
        }
        catch (ProxyProtocolException e)
        {
            return (null, e);
        }
    }

    private static string Describe((ProxyHeader? Header, ProxyProtocolException? Error) answer) =>
        answer.Error?.Message ?? $"{answer.Header} {answer.Header?.Length}";

    private static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

    private static byte[] V2(byte versionCommand, byte familyProtocol, byte[] addresses, params (byte Type, byte[] Value)[] tlvs)
    {
        var body = new List<byte>(addresses);
        foreach (var (type, value) in tlvs)
        {
            body.Add(type);
            body.Add((byte)(value.Length >> 8));
            body.Add((byte)value.Length);
            body.AddRange(value);
        }

        var header = new List<byte>(Signature) { versionCommand, familyProtocol, (byte)(body.Count >> 8), (byte)body.Count };
        header.AddRange(body);
        return header.ToArray();
    }

    private static byte[] Inet(string source, int sourcePort, string destination, int destinationPort)
    {
        var bytes = new List<byte>(IPAddress.Parse(source).GetAddressBytes());
        bytes.AddRange(IPAddress.Parse(destination).GetAddressBytes());
        bytes.Add((byte)(sourcePort >> 8));
        bytes.Add((byte)sourcePort);
        bytes.Add((byte)(destinationPort >> 8));
        bytes.Add((byte)destinationPort);
        return bytes.ToArray();
    }

    [Theory]
    [InlineData("PROXY TCP4 192.0.2.7 198.51.100.1 56324 443\r\n", "192.0.2.7:56324", "198.51.100.1:443")]
    [InlineData("PROXY TCP6 2001:db8::7 2001:db8::1 1 65535\r\n", "[2001:db8::7]:1", "[2001:db8::1]:65535")]
    [InlineData("PROXY TCP4 0.0.0.0 255.255.255.255 0 0\r\n", "0.0.0.0:0", "255.255.255.255:0")]
    public void A_v1_header_gives_the_clients_addresses_and_leaves_what_follows(string header, string source, string destination)
    {
        var input = Ascii(header + "GET / HTTP/1.1\r\n");

        var (parsed, error) = Parse(input);

        Assert.Null(error);
        Assert.Equal((1, false, source, destination, header.Length), (parsed!.Version, parsed.IsLocal, parsed.Source!.ToString(), parsed.Destination!.ToString(), parsed.Length));
    }

    [Theory]
    [InlineData("PROXY UNKNOWN\r\n")]
    [InlineData("PROXY UNKNOWN ffff:f...f:ffff ffff:f...f:ffff 65535 65535\r\n")]
    public void A_v1_unknown_header_keeps_the_proxys_addresses(string header)
    {
        var (parsed, error) = Parse(Ascii(header + "data"));

        Assert.Null(error);
        Assert.True(parsed!.IsLocal);
        Assert.Null(parsed.Source);
        Assert.Equal(header.Length, parsed.Length);
    }

    [Theory]
    [InlineData("PROXY TCP4 192.0.2.7 198.51.100.1 56324 443\n")]
    [InlineData("PROXY TCP4 192.0.2.7  198.51.100.1 56324 443\r\n")]
    [InlineData("PROXY TCP4 192.0.2.7 198.51.100.1 56324\r\n")]
    [InlineData("PROXY TCP4 192.0.2.7 198.51.100.1 56324 443 x\r\n")]
    [InlineData("PROXY TCP5 192.0.2.7 198.51.100.1 56324 443\r\n")]
    [InlineData("PROXY tcp4 192.0.2.7 198.51.100.1 56324 443\r\n")]
    [InlineData("PROXY TCP4 192.0.2.07 198.51.100.1 56324 443\r\n")]
    [InlineData("PROXY TCP4 192.0.2.256 198.51.100.1 56324 443\r\n")]
    [InlineData("PROXY TCP4 7 198.51.100.1 56324 443\r\n")]
    [InlineData("PROXY TCP4 2001:db8::7 198.51.100.1 56324 443\r\n")]
    [InlineData("PROXY TCP6 192.0.2.7 2001:db8::1 56324 443\r\n")]
    [InlineData("PROXY TCP6 fe80::1%eth0 2001:db8::1 56324 443\r\n")]
    [InlineData("PROXY TCP4 192.0.2.7 198.51.100.1 65536 443\r\n")]
    [InlineData("PROXY TCP4 192.0.2.7 198.51.100.1 0443 443\r\n")]
    [InlineData("PROXY TCP4 192.0.2.7 198.51.100.1 -1 443\r\n")]
    [InlineData("PROXY TCP4 192.0.2.7 198.51.100.1 1\t 443\r\n")]
    [InlineData("PROXY\r\n")]
    [InlineData("PROXX TCP4 192.0.2.7 198.51.100.1 56324 443\r\n")]
    [InlineData("GET / HTTP/1.1\r\n")]
    [InlineData("\r\n\r\n\0\r\nQUIX\n")]
    public void A_malformed_v1_header_is_refused(string header)
    {
        var (parsed, error) = Parse(Ascii(header));

        Assert.Null(parsed);
        Assert.NotNull(error);
    }

    [Fact]
    public void A_v1_header_without_crlf_in_107_bytes_is_refused_as_soon_as_that_is_known()
    {
        var input = Ascii("PROXY UNKNOWN " + new string('x', 200));

        Assert.Contains("within 107 bytes", Parse(input).Error!.Message);
        Assert.Null(ProxyHeaderParser.TryParse(new ReadOnlySequence<byte>(input[..106]), 4096));
    }

    [Fact]
    public void A_v2_proxy_header_gives_ipv4_and_ipv6_clients()
    {
        var v4 = Parse([.. V2(0x21, 0x11, Inet("192.0.2.7", 56324, "198.51.100.1", 443)), .. "rest"u8]).Header!;
        var v6 = Parse(V2(0x21, 0x21, [.. IPAddress.Parse("2001:db8::7").GetAddressBytes(), .. IPAddress.Parse("2001:db8::1").GetAddressBytes(), 0x12, 0x34, 0x01, 0xBB])).Header!;

        Assert.Equal(("192.0.2.7:56324", "198.51.100.1:443", 28), (v4.Source!.ToString(), v4.Destination!.ToString(), v4.Length));
        Assert.Equal(("[2001:db8::7]:4660", "[2001:db8::1]:443", 52), (v6.Source!.ToString(), v6.Destination!.ToString(), v6.Length));
        Assert.Equal(2, v6.Version);
    }

    [Theory]
    [InlineData(0x20, 0x11)] // LOCAL: the proxy's own connection
    [InlineData(0x21, 0x00)] // UNSPEC family
    [InlineData(0x21, 0x10)] // INET with an unspecified protocol
    public void A_v2_header_without_a_client_keeps_the_proxys_addresses(byte versionCommand, byte familyProtocol)
    {
        var addresses = familyProtocol >> 4 == 1 ? Inet("192.0.2.7", 1, "192.0.2.8", 2) : [];

        var header = Parse(V2(versionCommand, familyProtocol, addresses)).Header!;

        Assert.True(header.IsLocal);
        Assert.Null(header.Source);
    }

    [Fact]
    public void A_v2_unix_header_keeps_the_proxys_addresses()
    {
        var header = Parse(V2(0x21, 0x31, new byte[216])).Header!;

        Assert.True(header.IsLocal);
        Assert.Equal(16 + 216, header.Length);
    }

    [Fact]
    public void V2_tlvs_are_exposed_alpn_authority_unique_id_and_ssl()
    {
        var ssl = new List<byte> { 0x07, 0, 0, 0, 0 };
        foreach (var (type, text) in new[] { ((byte)0x21, "TLSv1.3"), ((byte)0x22, "client.example"), ((byte)0x23, "TLS_AES_256_GCM_SHA384") })
        {
            ssl.Add(type);
            ssl.Add(0);
            ssl.Add((byte)text.Length);
            ssl.AddRange(Ascii(text));
        }

        var header = Parse(V2(0x21, 0x11, Inet("192.0.2.7", 1, "192.0.2.8", 2),
            (0x01, Ascii("h2")), (0x02, Ascii("www.example.com")), (0x04, new byte[3]), (0x05, [1, 2, 3]), (0x20, ssl.ToArray()), (0xE0, [9]))).Header!;

        Assert.Equal("h2", header.Alpn);
        Assert.Equal("www.example.com", header.Authority);
        Assert.Equal([1, 2, 3], header.UniqueId!.Value.ToArray());
        Assert.Equal([0x01, 0x02, 0x04, 0x05, 0x20, 0xE0], header.Tlvs.Select(t => t.Type));
        Assert.True(header.Ssl!.IsTls && header.Ssl.ClientCertificateOnConnection && header.Ssl.ClientCertificateOnSession && header.Ssl.ClientCertificateVerified);
        Assert.Equal(("TLSv1.3", "client.example", "TLS_AES_256_GCM_SHA384"), (header.Ssl.Version, header.Ssl.CommonName, header.Ssl.Cipher));
    }

    [Fact]
    public void A_v2_crc32c_is_checked()
    {
        var header = V2(0x21, 0x11, Inet("192.0.2.7", 1, "192.0.2.8", 2), (0x03, new byte[4]));
        var crc = uint.MaxValue;
        foreach (var b in header)
        {
            crc = BitOperations.Crc32C(crc, b);
        }

        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(header.Length - 4), ~crc);
        Assert.Null(Parse(header).Error);

        header[^1] ^= 1;
        Assert.Contains("CRC32C", Parse(header).Error!.Message);
    }

    [Fact]
    public void The_crc32c_is_castagnolis()
    {
        var crc = uint.MaxValue;
        foreach (var b in "123456789"u8)
        {
            crc = BitOperations.Crc32C(crc, b);
        }

        Assert.Equal(0xE3069283u, ~crc); // the check value of CRC-32C
    }

    [Theory]
    [InlineData(0x11, 0x11, "Version 1")]
    [InlineData(0x31, 0x11, "Version 3")]
    [InlineData(0x22, 0x11, "Command 2")]
    [InlineData(0x21, 0x41, "family 4")]
    [InlineData(0x21, 0x13, "protocol 3")]
    public void A_v2_header_with_undefined_fields_is_refused(byte versionCommand, byte familyProtocol, string why)
    {
        Assert.Contains(why, Parse(V2(versionCommand, familyProtocol, Inet("192.0.2.7", 1, "192.0.2.8", 2))).Error!.Message);
    }

    [Fact]
    public void A_v2_header_too_short_for_its_family_or_with_a_cut_tlv_is_refused()
    {
        Assert.Contains("address family", Parse(V2(0x21, 0x21, Inet("192.0.2.7", 1, "192.0.2.8", 2))).Error!.Message);
        var cut = V2(0x21, 0x11, Inet("192.0.2.7", 1, "192.0.2.8", 2), (0x01, Ascii("h2")));
        cut[15] -= 1; // the length now ends inside the TLV's value
        Assert.Contains("TLV", Parse(cut).Error!.Message);
        Assert.Contains("SSL record", Parse(V2(0x21, 0x11, Inet("192.0.2.7", 1, "192.0.2.8", 2), (0x20, [1, 0]))).Error!.Message);
    }

    [Fact]
    public void A_v2_header_longer_than_allowed_is_refused_from_its_length_field()
    {
        var header = V2(0x21, 0x11, Inet("192.0.2.7", 1, "192.0.2.8", 2), (0xE0, new byte[600]));

        Assert.Contains("more than the 512", Parse(header, maxLength: 512).Error!.Message);
        Assert.Contains("more than the 512", Answer(header, 16, 512).Error!.Message); // decided from the first 16 bytes
    }

    [Fact]
    public void A_wrong_v2_signature_is_refused_at_the_first_wrong_byte()
    {
        var header = V2(0x21, 0x11, Inet("192.0.2.7", 1, "192.0.2.8", 2));
        header[7] = (byte)'X';

        Assert.NotNull(Answer(header, 8, 4096).Error);
        Assert.Null(Answer(header, 7, 4096).Error);
    }
}
