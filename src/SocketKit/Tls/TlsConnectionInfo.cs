using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace SocketKit.Tls;

/// <summary>What a connection's TLS handshake agreed on.</summary>
public sealed class TlsConnectionInfo
{
    internal TlsConnectionInfo(SslStream stream)
    {
        Protocol = stream.SslProtocol;
        CipherSuite = stream.NegotiatedCipherSuite;
        ApplicationProtocol = stream.NegotiatedApplicationProtocol;
        HostName = string.IsNullOrEmpty(stream.TargetHostName) ? null : stream.TargetHostName;
        // A copy (public part only), so it stays valid after the connection's SslStream is disposed.
        RemoteCertificate = stream.RemoteCertificate is { } certificate ? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()) : null;
    }

    /// <summary>The TLS version.</summary>
    public SslProtocols Protocol { get; }

    /// <summary>The cipher suite.</summary>
    public TlsCipherSuite CipherSuite { get; }

    /// <summary>The protocol agreed by ALPN; empty if none.</summary>
    public SslApplicationProtocol ApplicationProtocol { get; }

    /// <summary>The server name: the one the client asked for (SNI) on a server, the target host on a client.</summary>
    public string? HostName { get; }

    /// <summary>The peer's certificate: the server's on a client; the client's on a server, if it sent one.</summary>
    public X509Certificate2? RemoteCertificate { get; }
}
