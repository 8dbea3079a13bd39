using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace RemoteControl;

/// <summary>
/// Challenge–response over a shared key. The agent sends a fresh 32-byte nonce per connection; the controller answers
/// HMAC-SHA256(key, label ‖ nonce ‖ channel binding). The channel binding is RFC 5929's tls-server-end-point: the
/// SHA-256 of the agent's certificate as each side sees it. A relay that terminates TLS with a certificate of its own
/// therefore makes the controller compute a different MAC, and the agent refuses it. A recorded answer is useless on
/// another connection (another nonce). Comparison is constant-time.
/// </summary>
public static class Authentication
{
    private static readonly byte[] Label = "socketkit-remote-control-v1"u8.ToArray();

    public static byte[] NewNonce() => RandomNumberGenerator.GetBytes(32);

    /// <summary>tls-server-end-point (RFC 5929) for a SHA-256-signed certificate: the hash of its DER encoding.</summary>
    public static byte[] ChannelBinding(X509Certificate2 agentCertificate) => SHA256.HashData(agentCertificate.RawData);

    public static byte[] Answer(byte[] key, byte[] nonce, byte[] channelBinding) =>
        HMACSHA256.HashData(key, (byte[])[.. Label, .. nonce, .. channelBinding]);

    public static bool Verify(byte[] key, byte[] nonce, byte[] channelBinding, string answerHex)
    {
        byte[] answer;
        try
        {
            answer = Convert.FromHexString(answerHex);
        }
        catch (FormatException)
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(answer, Answer(key, nonce, channelBinding));
    }

    /// <summary>Reads the shared key (at least 32 bytes); the agent creates one if there is none.</summary>
    public static byte[] LoadKey(string path, bool create)
    {
        if (!File.Exists(path))
        {
            if (!create)
            {
                throw new RemoteControlException($"no key file at {path}: copy the agent's");
            }

            File.WriteAllBytes(path, RandomNumberGenerator.GetBytes(32));
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }

        var key = File.ReadAllBytes(path);
        return key.Length >= 32 ? key : throw new RemoteControlException($"the key in {path} is shorter than 32 bytes");
    }

    public static string Fingerprint(X509Certificate2 certificate) => Convert.ToHexStringLower(SHA256.HashData(certificate.RawData));

    public static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}

/// <summary>A refusal or failure, reported to the user as it is.</summary>
public sealed class RemoteControlException(string message) : Exception(message);
