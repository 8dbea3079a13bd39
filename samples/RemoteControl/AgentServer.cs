using System.Net;
using Microsoft.Extensions.Logging;
using SocketKit.Codecs;
using SocketKit.Tcp;
using SocketKit.Tls;

namespace RemoteControl;

/// <summary>The agent: TLS always, with its own self-signed certificate; a session per controller.</summary>
public static class AgentServer
{
    /// <param name="endPoint">Where to listen.</param>
    /// <param name="keyFile">The shared key (created if missing).</param>
    /// <param name="certificateFile">The agent's certificate (created on first run).</param>
    /// <param name="allowedFolder">The only folder <c>tail</c> may read.</param>
    /// <param name="loggerFactory">Where the log of every command and refusal goes.</param>
    /// <param name="time">The clock for the authentication deadline (a fake one in tests).</param>
    public static TcpServer<string, string> Create(IPEndPoint endPoint, string keyFile, string certificateFile, string allowedFolder,
        ILoggerFactory loggerFactory, TimeProvider? time = null)
    {
        var certificate = AgentCertificate.LoadOrCreate(certificateFile);
        var agent = new Agent(Authentication.LoadKey(keyFile, create: true), Authentication.ChannelBinding(certificate),
            new AgentCommands(allowedFolder), loggerFactory.CreateLogger("RemoteControl.Agent"), time ?? TimeProvider.System);
        var options = new TcpServerOptions
        {
            EndPoints = { endPoint },
            Tls = new TlsServerOptions { Certificate = certificate, HandshakeTimeout = TimeSpan.FromSeconds(10) },
        };
        return new TcpServer<string, string>(options, Codec.Lines(new LineFramerOptions { MaxLineLength = 4096 }), agent, loggerFactory, time);
    }

    public static async Task<int> RunAsync(IPEndPoint endPoint, string keyFile, string allowedFolder, CancellationToken stop)
    {
        using var loggerFactory = LoggerFactory.Create(logging => logging.AddSimpleConsole(o => o.SingleLine = true));
        var certificateFile = keyFile + ".agent.pfx";
        await using var server = Create(endPoint, keyFile, certificateFile, allowedFolder, loggerFactory);
        await server.StartAsync(stop);
        var fingerprint = Authentication.Fingerprint(AgentCertificate.LoadOrCreate(certificateFile));
        Console.WriteLine($"agent on {server.EndPoints[0]}, certificate SHA-256 {fingerprint}; Ctrl+C or SIGTERM to stop");
        await server.RunAsync(stop);
        return 0;
    }
}
