using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace SocketKit.Benchmarks.Echo.Servers;

/// <summary>The TLS echo servers' certificate: self-signed, ECDSA P-256, made in the server process (the load generator does not check it).</summary>
public static class BenchmarkCertificate
{
    public static X509Certificate2 Create()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        // Through PKCS#12, so the key is usable by the TLS stack.
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), null);
    }
}
