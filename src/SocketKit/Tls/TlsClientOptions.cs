using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace SocketKit.Tls;

/// <summary>TLS for <see cref="Tcp.TcpConnector"/>: the server name, validation, a client certificate and ALPN.</summary>
public sealed class TlsClientOptions
{
    /// <summary>
    /// The server's name, sent for SNI and checked against its certificate. Defaults to <see langword="null"/>: the host
    /// of a <see cref="System.Net.DnsEndPoint"/>, or the address of an <see cref="System.Net.IPEndPoint"/>.
    /// </summary>
    public string? TargetHost { get; set; }

    /// <summary>Certificates to offer if the server asks for one.</summary>
    public X509CertificateCollection ClientCertificates { get; } = new();

    /// <summary>Validates the server's certificate. Defaults to <see langword="null"/>: the platform's chain and name validation.</summary>
    public RemoteCertificateValidationCallback? RemoteCertificateValidation { get; set; }

    /// <summary>Protocols to offer for ALPN, in order of preference. Empty: no ALPN.</summary>
    public IList<SslApplicationProtocol> ApplicationProtocols { get; } = new List<SslApplicationProtocol>();

    /// <summary>The TLS versions allowed. Defaults to <see cref="SslProtocols.None"/>: the OS chooses.</summary>
    public SslProtocols EnabledProtocols { get; set; } = SslProtocols.None;

    /// <summary>How long the handshake may take; beyond it the connection attempt fails with a <see cref="TimeoutException"/>. Defaults to 10 seconds.</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    internal SslClientAuthenticationOptions ToSslOptions(string targetHost) => new()
    {
        TargetHost = TargetHost ?? targetHost,
        ClientCertificates = ClientCertificates.Count > 0 ? ClientCertificates : null,
        RemoteCertificateValidationCallback = RemoteCertificateValidation,
        ApplicationProtocols = ApplicationProtocols.Count > 0 ? [.. ApplicationProtocols] : null,
        EnabledSslProtocols = EnabledProtocols,
    };
}
