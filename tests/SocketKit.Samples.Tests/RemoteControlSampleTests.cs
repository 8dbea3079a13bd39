using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using RemoteControl;
using SocketKit.Tcp;

namespace SocketKit.Samples.Tests;

[Collection(nameof(SampleTests))]
public sealed class RemoteControlSampleTests
{
    /// <summary>
    /// Pins are keyed by the agent as the user named it, as the command line names it (a host name and a port): not
    /// "Unspecified/127.0.0.1:PORT". localhost and 127.0.0.1 are two names, each pinned on first use, as in known_hosts.
    /// </summary>
    [Fact]
    public async Task Known_agents_are_keyed_by_the_name_the_user_gave()
    {
        await using var rc = await RemoteControlTest.StartAsync();
        var port = rc.EndPoint.Port;

        foreach (var host in new[] { "localhost", "127.0.0.1", "localhost" })
        {
            var output = new StringWriter();
            Assert.Equal(0, await Controller.RunAsync(new DnsEndPoint(host, port), rc.KeyFile, rc.KnownAgents, "uptime", [], output, TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(20)));
        }

        Assert.Equal([$"localhost:{port} {rc.Fingerprint}", $"127.0.0.1:{port} {rc.Fingerprint}"], await File.ReadAllLinesAsync(rc.KnownAgents, TestContext.Current.CancellationToken));
        Assert.Equal($"[::1]:{port}", KnownAgents.NameOf(new DnsEndPoint("::1", port)));
    }

    [Fact]
    public async Task A_controller_with_the_key_runs_allowed_commands_and_pins_the_agent_on_first_use()
    {
        await using var rc = await RemoteControlTest.StartAsync();
        await File.WriteAllLinesAsync(Path.Combine(rc.Allowed, "app.log"), ["one", "two", "three"], TestContext.Current.CancellationToken);

        Assert.StartsWith("up ", Assert.Single(await rc.ControlAsync("uptime")), StringComparison.Ordinal);
        Assert.Equal(["two", "three"], await rc.ControlAsync("tail", "app.log", "2"));
        var ping = await rc.ControlAsync("ping");
        Assert.StartsWith("pong ", ping[0], StringComparison.Ordinal);
        Assert.StartsWith("round trip ", ping[1], StringComparison.Ordinal);
        Assert.NotEmpty(await rc.ControlAsync("processes"));

        Assert.Equal([$"127.0.0.1:{rc.EndPoint.Port} {rc.Fingerprint}"], await File.ReadAllLinesAsync(rc.KnownAgents, TestContext.Current.CancellationToken));
        Assert.Contains(rc.Log, line => line.Contains("ran tail app.log 2", StringComparison.Ordinal) && line.Contains("tcp 127.0.0.1:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_wrong_key_is_refused_and_logged()
    {
        await using var rc = await RemoteControlTest.StartAsync();
        var wrongKey = Path.Combine(rc.Folder.Path, "wrong.key");
        await File.WriteAllBytesAsync(wrongKey, new byte[32], TestContext.Current.CancellationToken);

        var error = await Assert.ThrowsAsync<RemoteControlException>(() => rc.ControlWithKeyAsync(wrongKey, "uptime"));

        Assert.Equal("the agent refused the key", error.Message);
        Assert.Contains(rc.Log, line => line.Contains("authentication failed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_answer_recorded_from_one_connection_is_refused_on_another()
    {
        await using var rc = await RemoteControlTest.StartAsync();
        var key = await File.ReadAllBytesAsync(rc.KeyFile, TestContext.Current.CancellationToken);
        string recorded;
        await using (var first = await RawAgentClient.ConnectAsync(rc.EndPoint))
        {
            var nonce = Convert.FromHexString((await first.ReadLineAsync())!["CHALLENGE ".Length..]);
            recorded = $"AUTH {Authentication.Hex(Authentication.Answer(key, nonce, Authentication.ChannelBinding(first.AgentCertificate)))}";
            await first.WriteLineAsync(recorded);
            Assert.Equal("WELCOME", await first.ReadLineAsync());
        }

        await using var replay = await RawAgentClient.ConnectAsync(rc.EndPoint);
        Assert.StartsWith("CHALLENGE ", await replay.ReadLineAsync(), StringComparison.Ordinal); // a fresh nonce
        await replay.WriteLineAsync(recorded);

        Assert.Equal("DENIED", await replay.ReadLineAsync());
        Assert.Null(await replay.ReadLineAsync()); // and closed
    }

    [Fact]
    public async Task An_answer_bound_to_another_certificate_is_refused()
    {
        // What a relay terminating TLS with its own certificate would make the controller compute.
        await using var rc = await RemoteControlTest.StartAsync();
        var key = await File.ReadAllBytesAsync(rc.KeyFile, TestContext.Current.CancellationToken);
        using var relayCertificate = AgentCertificate.LoadOrCreate(Path.Combine(rc.Folder.Path, "relay.pfx"));
        await using var client = await RawAgentClient.ConnectAsync(rc.EndPoint);
        var nonce = Convert.FromHexString((await client.ReadLineAsync())!["CHALLENGE ".Length..]);

        await client.WriteLineAsync($"AUTH {Authentication.Hex(Authentication.Answer(key, nonce, Authentication.ChannelBinding(relayCertificate)))}");

        Assert.Equal("DENIED", await client.ReadLineAsync());
    }

    [Theory]
    [InlineData("reboot", "not allowed: reboot")]
    [InlineData("tail ../agent.key", "outside the allowed folder")]
    [InlineData("tail /etc/passwd", "outside the allowed folder")]
    public async Task Commands_off_the_allow_list_and_paths_outside_the_folder_are_refused_and_logged(string command, string why)
    {
        await using var rc = await RemoteControlTest.StartAsync();
        var words = command.Split(' ');

        var error = await Assert.ThrowsAsync<RemoteControlException>(() => rc.ControlAsync(words[0], words[1..]));

        Assert.Contains(why, error.Message, StringComparison.Ordinal);
        Assert.Contains(rc.Log, line => line.Contains("refused", StringComparison.Ordinal) && line.Contains(why, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_changed_agent_certificate_is_detected()
    {
        await using var rc = await RemoteControlTest.StartAsync();
        await File.WriteAllLinesAsync(rc.KnownAgents, [$"127.0.0.1:{rc.EndPoint.Port} {new string('0', 64)}"], TestContext.Current.CancellationToken); // pinned earlier: another certificate

        var error = await Assert.ThrowsAsync<RemoteControlException>(() => rc.ControlAsync("uptime"));

        Assert.Contains("certificate changed", error.Message, StringComparison.Ordinal);
        Assert.Contains(rc.Fingerprint, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_controller_that_stalls_mid_handshake_is_dropped_at_the_deadline()
    {
        var time = new FakeTimeProvider();
        await using var rc = await RemoteControlTest.StartAsync(time);
        await using var staller = await RawAgentClient.ConnectAsync(rc.EndPoint);
        Assert.StartsWith("CHALLENGE ", await staller.ReadLineAsync(), StringComparison.Ordinal);

        time.Advance(TimeSpan.FromSeconds(9)); // not yet
        await using (var other = await RawAgentClient.ConnectAsync(rc.EndPoint))
        {
            Assert.StartsWith("CHALLENGE ", await other.ReadLineAsync(), StringComparison.Ordinal); // the agent serves on
        }

        time.Advance(TimeSpan.FromSeconds(2));

        Assert.True(await staller.ReadEndAsync(), "the stalled controller was dropped");
        Assert.Contains(rc.Log, line => line.Contains("no authentication within", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_agent_runs_with_stdin_closed_and_stops_gracefully_on_sigterm()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS(), "SIGTERM is a Unix signal.");
        using var folder = new TempDirectory();
        var key = Path.Combine(folder.Path, "agent.key");
        using var agent = SampleProcess.Start("RemoteControl", ["agent", "--port", "0", "--key-file", key, "--allow", folder.Path]);
        var banner = await agent.ReadLineStartingWithAsync("agent on ");
        var endPoint = IPEndPoint.Parse(banner["agent on ".Length..].Split(',')[0]);
        var output = new StringWriter();

        await Controller.RunAsync(endPoint, key, Path.Combine(folder.Path, "known_agents"), "uptime", [], output, TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(20));

        Assert.StartsWith("up ", output.ToString(), StringComparison.Ordinal);
        var (exitCode, _) = await agent.TerminateAsync();
        Assert.Equal(0, exitCode);
    }

    /// <summary>An agent on a free loopback port with its key, certificate and allowed folder in a temporary folder.</summary>
    private sealed class RemoteControlTest(TcpServer<string, string> server, TempDirectory folder, ConcurrentQueue<string> log) : IAsyncDisposable
    {
        public TempDirectory Folder => folder;

        public string KeyFile => Path.Combine(folder.Path, "agent.key");

        public string Allowed => Path.Combine(folder.Path, "allowed");

        public string KnownAgents => Path.Combine(folder.Path, "known_agents");

        public IPEndPoint EndPoint => server.EndPoints[0];

        public string Fingerprint => Authentication.Fingerprint(AgentCertificate.LoadOrCreate(Path.Combine(folder.Path, "agent.pfx")));

        public IReadOnlyCollection<string> Log => log;

        public static async Task<RemoteControlTest> StartAsync(TimeProvider? time = null)
        {
            var folder = new TempDirectory();
            Directory.CreateDirectory(Path.Combine(folder.Path, "allowed"));
            var log = new ConcurrentQueue<string>();
            var loggerFactory = LoggerFactory.Create(logging => logging.AddProvider(new QueueLoggerProvider(log)));
            var server = AgentServer.Create(new IPEndPoint(IPAddress.Loopback, 0), Path.Combine(folder.Path, "agent.key"),
                Path.Combine(folder.Path, "agent.pfx"), Path.Combine(folder.Path, "allowed"), loggerFactory, time);
            await server.StartAsync(TestContext.Current.CancellationToken);
            return new RemoteControlTest(server, folder, log);
        }

        public Task<IReadOnlyList<string>> ControlAsync(string command, params string[] args) => ControlWithKeyAsync(KeyFile, command, args);

        public async Task<IReadOnlyList<string>> ControlWithKeyAsync(string keyFile, string command, params string[] args)
        {
            var output = new StringWriter();
            await Controller.RunAsync(EndPoint, keyFile, KnownAgents, command, args, output, TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(20));
            return output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        }

        public async ValueTask DisposeAsync()
        {
            await server.DisposeAsync();
            folder.Dispose();
        }
    }

    /// <summary>A TLS line client that accepts any certificate: to send what the real controller never would.</summary>
    private sealed class RawAgentClient(TcpClient tcp, SslStream tls) : IAsyncDisposable
    {
        private readonly StreamReader _reader = new(tls);

        public X509Certificate2 AgentCertificate { get; } = X509CertificateLoader.LoadCertificate(tls.RemoteCertificate!.GetRawCertData());

        public static async Task<RawAgentClient> ConnectAsync(IPEndPoint endPoint)
        {
            var tcp = new TcpClient(AddressFamily.InterNetwork);
            await tcp.ConnectAsync(endPoint).WaitAsync(TimeSpan.FromSeconds(10));
#pragma warning disable CA5359 // this client exists to send what a real controller would not; it checks nothing on purpose
            var tls = new SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
#pragma warning restore CA5359
            await tls.AuthenticateAsClientAsync("socketkit-agent").WaitAsync(TimeSpan.FromSeconds(10));
            return new RawAgentClient(tcp, tls);
        }

        public async Task<string?> ReadLineAsync() => await _reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10));

        /// <summary>Whether the agent ended the connection (FIN or reset) rather than sending more.</summary>
        public async Task<bool> ReadEndAsync()
        {
            try
            {
                return await ReadLineAsync() is null;
            }
            catch (IOException)
            {
                return true; // reset
            }
        }

        public async Task WriteLineAsync(string line)
        {
            await tls.WriteAsync(System.Text.Encoding.UTF8.GetBytes(line + "\n")).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            await tls.FlushAsync();
        }

        public async ValueTask DisposeAsync()
        {
            await tls.DisposeAsync();
            tcp.Dispose();
        }
    }

    private sealed class QueueLoggerProvider(ConcurrentQueue<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(lines);

        public void Dispose()
        {
        }

        private sealed class Logger(ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue(formatter(state, exception));
        }
    }
}
