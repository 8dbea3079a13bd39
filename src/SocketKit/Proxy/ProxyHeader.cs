using System.Net;

namespace SocketKit.Proxy;

/// <summary>
/// A PROXY protocol header (HAProxy's specification, versions 1 and 2): who the client really is, as the proxy in
/// front of the server reports it.
/// </summary>
public sealed class ProxyHeader
{
    internal ProxyHeader(int version, bool isLocal, IPEndPoint? source, IPEndPoint? destination, IReadOnlyList<ProxyTlv> tlvs, int length)
    {
        Version = version;
        IsLocal = isLocal;
        Source = source;
        Destination = destination;
        Tlvs = tlvs;
        Length = length;
        foreach (var tlv in tlvs)
        {
            switch (tlv.Type)
            {
                case 0x01:
                    Alpn = System.Text.Encoding.ASCII.GetString(tlv.Value.Span);
                    break;
                case 0x02:
                    Authority = System.Text.Encoding.UTF8.GetString(tlv.Value.Span);
                    break;
                case 0x05:
                    UniqueId = tlv.Value;
                    break;
                case 0x20:
                    Ssl = ProxyHeaderParser.ParseSsl(tlv.Value.Span);
                    break;
            }
        }
    }

    /// <summary>The default bound on a header's length: a v2 header with its addresses and a few TLV records fits many times over.</summary>
    public const int DefaultMaxLength = 4096;

    /// <summary>
    /// Parses the PROXY protocol header at the front of <paramref name="input"/> (v1 or v2, told apart by their
    /// signatures). Call it again with more bytes while it returns <see langword="null"/>; it answers as soon as the bytes
    /// decide, whatever way they were split. The header is <see cref="Length"/> bytes; what follows is the client's.
    /// </summary>
    /// <param name="input">The connection's first bytes.</param>
    /// <param name="maxLength">The longest header accepted (a v1 header is at most 107 bytes anyway).</param>
    /// <returns>The header, or <see langword="null"/> if more bytes are needed.</returns>
    /// <exception cref="ProxyProtocolException">The bytes are not a valid header, or it is longer than <paramref name="maxLength"/>.</exception>
    public static ProxyHeader? TryParse(in System.Buffers.ReadOnlySequence<byte> input, int maxLength = DefaultMaxLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 16);
        return ProxyHeaderParser.TryParse(input, maxLength);
    }

    /// <summary>1 (the text form) or 2 (the binary form).</summary>
    public int Version { get; }

    /// <summary>
    /// The header carries no client address: a v2 LOCAL command (the proxy's own health check), or v1 UNKNOWN or a v2
    /// UNSPEC or UNIX family. The connection keeps the proxy's addresses, as the specification says.
    /// </summary>
    public bool IsLocal { get; }

    /// <summary>The client's address and port, as the proxy saw it; <see langword="null"/> when <see cref="IsLocal"/>.</summary>
    public IPEndPoint? Source { get; }

    /// <summary>The address and port the client connected to on the proxy; <see langword="null"/> when <see cref="IsLocal"/>.</summary>
    public IPEndPoint? Destination { get; }

    /// <summary>Every v2 TLV record, in order (empty for v1).</summary>
    public IReadOnlyList<ProxyTlv> Tlvs { get; }

    /// <summary>The application protocol the client negotiated with the proxy (PP2_TYPE_ALPN), if sent.</summary>
    public string? Alpn { get; }

    /// <summary>The host name the client asked for, e.g. its TLS SNI (PP2_TYPE_AUTHORITY), if sent.</summary>
    public string? Authority { get; }

    /// <summary>The proxy's unique id for the connection (PP2_TYPE_UNIQUE_ID), if sent.</summary>
    public ReadOnlyMemory<byte>? UniqueId { get; }

    /// <summary>The client's TLS connection to the proxy (PP2_TYPE_SSL), if sent.</summary>
    public ProxySslInfo? Ssl { get; }

    /// <summary>The header's length on the wire, in bytes.</summary>
    public int Length { get; }

    /// <summary>Formats as the version and the client, e.g. <c>PROXY v2 203.0.113.7:51234 -> 10.0.0.1:443</c>.</summary>
    public override string ToString() => IsLocal ? $"PROXY v{Version} LOCAL" : $"PROXY v{Version} {Source} -> {Destination}";
}
