using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace SocketKit.Tls;

/// <summary>TLS for a <see cref="Tcp.TcpServer{TIn, TOut}"/>: certificates, client certificates, ALPN and the handshake deadline.</summary>
public sealed class TlsServerOptions
{
    /// <summary>The server's certificate, with its private key; used when <see cref="CertificateSelector"/> is not set or returns <see langword="null"/>.</summary>
    public X509Certificate2? Certificate { get; set; }

    /// <summary>
    /// Chooses the certificate by the host name the client asked for (SNI; <see langword="null"/> when it sent none).
    /// Return <see langword="null"/> to fall back to <see cref="Certificate"/>.
    /// </summary>
    public Func<string?, X509Certificate2?>? CertificateSelector { get; set; }

    /// <summary>Whether clients must present a certificate. Defaults to <see langword="false"/>.</summary>
    public bool ClientCertificateRequired { get; set; }

    /// <summary>
    /// Validates the client's certificate. Defaults to <see langword="null"/>: the platform's chain validation, and when
    /// <see cref="ClientCertificateRequired"/> is off, a client without a certificate is accepted.
    /// </summary>
    public RemoteCertificateValidationCallback? RemoteCertificateValidation { get; set; }

    /// <summary>Protocols offered for ALPN, in order of preference (for example <c>h2</c>, or your own). Empty: no ALPN.</summary>
    public IList<SslApplicationProtocol> ApplicationProtocols { get; } = new List<SslApplicationProtocol>();

    /// <summary>The TLS versions allowed. Defaults to <see cref="SslProtocols.None"/>: the OS chooses (TLS 1.2 and 1.3 on current systems).</summary>
    public SslProtocols EnabledProtocols { get; set; } = SslProtocols.None;

    /// <summary>
    /// How long a client has to complete the handshake after connecting. A client that fails or exceeds it is reset,
    /// logged and counted in <c>HandshakeFailures</c>; it never reaches <c>OnConnectedAsync</c>. Defaults to 10 seconds.
    /// </summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Checks the options, throwing an exception that names the first bad one.</summary>
    /// <exception cref="ArgumentException">An option is missing or out of range.</exception>
    public void Validate()
    {
        if (Certificate is null && CertificateSelector is null)
        {
            throw new ArgumentException($"TLS needs a {nameof(Certificate)} or a {nameof(CertificateSelector)}.", nameof(Certificate));
        }

        if (Certificate is { HasPrivateKey: false })
        {
            throw new ArgumentException($"The {nameof(Certificate)} has no private key.", nameof(Certificate));
        }

        if (HandshakeTimeout <= TimeSpan.Zero && HandshakeTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentException($"{nameof(HandshakeTimeout)} must be positive or Timeout.InfiniteTimeSpan.", nameof(HandshakeTimeout));
        }
    }

    internal SslServerAuthenticationOptions ToSslOptions() => new()
    {
        ServerCertificate = CertificateSelector is null ? Certificate : null,
        ServerCertificateSelectionCallback = CertificateSelector is { } select ? (_, host) => select(host) ?? Certificate! : null,
        ClientCertificateRequired = ClientCertificateRequired,
        RemoteCertificateValidationCallback = RemoteCertificateValidation
            ?? (ClientCertificateRequired ? null : (_, _, _, errors) => errors is SslPolicyErrors.None or SslPolicyErrors.RemoteCertificateNotAvailable),
        ApplicationProtocols = ApplicationProtocols.Count > 0 ? [.. ApplicationProtocols] : null,
        EnabledSslProtocols = EnabledProtocols,
    };
}
