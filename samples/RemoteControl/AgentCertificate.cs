using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace RemoteControl;

/// <summary>The agent's TLS identity: a self-signed ECDSA P-256 certificate made on first run and kept in a file.</summary>
public static class AgentCertificate
{
    public static X509Certificate2 LoadOrCreate(string path)
    {
        if (!File.Exists(path))
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest("CN=SocketKit remote control agent", key, HashAlgorithmName.SHA256);
            using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddYears(5));
            File.WriteAllBytes(path, created.Export(X509ContentType.Pkcs12));
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }

        return X509CertificateLoader.LoadPkcs12FromFile(path, password: null);
    }
}
