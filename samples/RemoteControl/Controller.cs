using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using SocketKit.Codecs;
using SocketKit.Tcp;
using SocketKit.Tls;

namespace RemoteControl;

/// <summary>
/// The controller: connects over TLS, pins the agent's certificate on first use (its SHA-256 in a known-agents file,
/// like SSH's known_hosts) and refuses a changed one after; answers the challenge; runs one command and prints its output.
/// </summary>
public static class Controller
{
    public static async Task<int> RunAsync(EndPoint agent, string keyFile, string knownAgentsFile, string command, IReadOnlyList<string> args,
        TextWriter output, CancellationToken cancellationToken)
    {
        var key = Authentication.LoadKey(keyFile, create: false);
        var name = KnownAgents.NameOf(agent);
        X509Certificate2? seen = null;
        var tls = new TlsClientOptions
        {
            TargetHost = "socketkit-agent",
            RemoteCertificateValidation = (_, certificate, _, _) =>
            {
                if (certificate is null)
                {
                    return false;
                }

                seen = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
                return KnownAgents.Check(knownAgentsFile, name, Authentication.Fingerprint(seen));
            },
        };

        Connection connection;
        try
        {
            connection = new(await TcpConnector.ConnectAsync(agent, Codec.Lines(), options: new TcpConnectorOptions { Tls = tls }, cancellationToken: cancellationToken));
        }
        catch (AuthenticationException) when (seen is not null)
        {
            throw new RemoteControlException($"the agent's certificate changed (now SHA-256 {Authentication.Fingerprint(seen)}): refusing to talk to it. If that is expected, remove its line from {knownAgentsFile}.");
        }

        await using (connection)
        {
            var nonce = Convert.FromHexString(Expect(await connection.ReadLineAsync(), "CHALLENGE")[1]);
            var answer = Authentication.Answer(key, nonce, Authentication.ChannelBinding(seen!));
            await connection.Inner.SendAsync($"AUTH {Authentication.Hex(answer)}", cancellationToken);
            Expect(await connection.ReadLineAsync(), "WELCOME");
            var clock = System.Diagnostics.Stopwatch.StartNew();
            await connection.Inner.SendAsync(string.Join(' ', ["RUN", command, .. args]), cancellationToken);
            while (await connection.ReadLineAsync() is var line && line != "DONE")
            {
                Expect(line, "OUT");
                await output.WriteLineAsync(line[4..]);
            }

            if (command == "ping")
            {
                await output.WriteLineAsync(FormattableString.Invariant($"round trip {clock.Elapsed.TotalMilliseconds:0.0} ms")); // at the application level, through TLS
            }
        }

        return 0;
    }

    private static string[] Expect(string line, string word)
    {
        if (line.StartsWith("ERR ", StringComparison.Ordinal))
        {
            throw new RemoteControlException(line[4..]);
        }

        if (line == "DENIED")
        {
            throw new RemoteControlException("the agent refused the key");
        }

        var words = line.Split(' ');
        return words[0] == word ? words : throw new RemoteControlException($"unexpected reply: {line}");
    }

    /// <summary>A pull-mode connection read line by line.</summary>
    private sealed class Connection(SocketKit.Connections.Connection<string, string> inner) : IAsyncDisposable
    {
        private readonly IAsyncEnumerator<string> _lines = inner.ReadAllAsync().GetAsyncEnumerator();

        public SocketKit.Connections.Connection<string, string> Inner => inner;

        public async Task<string> ReadLineAsync() =>
            await _lines.MoveNextAsync() ? _lines.Current : throw new RemoteControlException("the agent closed the connection");

        public async ValueTask DisposeAsync()
        {
            await _lines.DisposeAsync();
            await inner.DisposeAsync();
        }
    }
}

/// <summary>The agents this controller has met: one "host:port sha256" line each. First use records; later uses must match.</summary>
public static class KnownAgents
{
    private static readonly Lock FileLock = new();

    /// <summary>
    /// What a pin is keyed by: the agent as the user named it, <c>host:port</c> (<c>[::1]:port</c> for an IPv6 literal).
    /// As with SSH's known_hosts, <c>localhost</c> and <c>127.0.0.1</c> are two names, each pinned on its first use.
    /// </summary>
    public static string NameOf(EndPoint agent) => agent switch
    {
        DnsEndPoint { Host: var host, Port: var port } => host.Contains(':', StringComparison.Ordinal) ? $"[{host}]:{port}" : $"{host}:{port}",
        _ => agent.ToString()!,
    };

    public static bool Check(string path, string agent, string fingerprint)
    {
        lock (FileLock)
        {
            var known = File.Exists(path) ? File.ReadAllLines(path).Select(l => l.Split(' ')).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]) : [];
            if (known.TryGetValue(agent, out var pinned))
            {
                return pinned == fingerprint;
            }

            File.AppendAllLines(path, [$"{agent} {fingerprint}"]); // trust on first use
            return true;
        }
    }
}
