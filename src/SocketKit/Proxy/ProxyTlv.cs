namespace SocketKit.Proxy;

/// <summary>One type-length-value record of a PROXY protocol v2 header, as sent.</summary>
/// <param name="Type">The type (0x01 ALPN, 0x02 authority, 0x03 CRC32C, 0x04 no-op, 0x05 unique id, 0x20 SSL, 0x30 network namespace, others custom).</param>
/// <param name="Value">The value's bytes.</param>
public readonly record struct ProxyTlv(byte Type, ReadOnlyMemory<byte> Value);
