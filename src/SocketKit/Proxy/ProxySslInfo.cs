namespace SocketKit.Proxy;

/// <summary>What a PROXY v2 header's SSL record (PP2_TYPE_SSL) says of the client's connection to the proxy.</summary>
public sealed class ProxySslInfo
{
    internal ProxySslInfo(byte client, uint verify, string? version, string? commonName, string? cipher)
    {
        IsTls = (client & 0x01) != 0;
        ClientCertificateOnConnection = (client & 0x02) != 0;
        ClientCertificateOnSession = (client & 0x04) != 0;
        ClientCertificateVerified = verify == 0;
        Version = version;
        CommonName = commonName;
        Cipher = cipher;
    }

    /// <summary>The client connected to the proxy over TLS (PP2_CLIENT_SSL).</summary>
    public bool IsTls { get; }

    /// <summary>The client presented a certificate on this connection (PP2_CLIENT_CERT_CONN).</summary>
    public bool ClientCertificateOnConnection { get; }

    /// <summary>The client presented a certificate at least once over the TLS session (PP2_CLIENT_CERT_SESS).</summary>
    public bool ClientCertificateOnSession { get; }

    /// <summary>The proxy verified the client's certificate (the verify field is 0).</summary>
    public bool ClientCertificateVerified { get; }

    /// <summary>The TLS version, e.g. <c>TLSv1.3</c> (PP2_SUBTYPE_SSL_VERSION), if sent.</summary>
    public string? Version { get; }

    /// <summary>The client certificate's common name (PP2_SUBTYPE_SSL_CN), if sent.</summary>
    public string? CommonName { get; }

    /// <summary>The cipher, e.g. <c>TLS_AES_256_GCM_SHA384</c> (PP2_SUBTYPE_SSL_CIPHER), if sent.</summary>
    public string? Cipher { get; }
}
