using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace SocketKit.Samples.Tests;

[Collection(nameof(SampleTests))]
public class EchoSampleTests
{
    [Fact]
    public async Task The_demo_shows_the_exchange_with_five_tuples_and_lifecycle_and_succeeds()
    {
        var output = new StringWriter();
        var exitCode = await Demo.RunWithin(output);
        var text = output.ToString();
        Assert.Equal(0, exitCode);
        Assert.Contains("server: connected    #", text, StringComparison.Ordinal);
        Assert.Contains("tcp 127.0.0.1:", text, StringComparison.Ordinal);
        foreach (var message in Echo.EchoClient.Messages)
        {
            Assert.Contains($"client: received     \"{message}\"", text, StringComparison.Ordinal);
        }

        Assert.Contains("server: disconnected", text, StringComparison.Ordinal);
        Assert.Contains("demo: every reply matched", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_server_echoes_header_and_payload_unchanged_to_a_plain_socket()
    {
        await using var server = Echo.EchoServer.Create(new IPEndPoint(IPAddress.Loopback, 0));
        await server.StartAsync();
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(server.EndPoints[0]).WaitAsync(TimeSpan.FromSeconds(10));
        var frames = new byte[3 * 7];
        for (var i = 0; i < 3; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(frames.AsSpan(i * 7), 3);
            frames[(i * 7) + 4] = (byte)('a' + i);
            frames[(i * 7) + 5] = (byte)'!';
            frames[(i * 7) + 6] = 0xFF;
        }

        await socket.SendAsync(frames, SocketFlags.None);
        socket.Shutdown(SocketShutdown.Send);
        var received = new MemoryStream();
        var buffer = new byte[1024];
        int n;
        while ((n = await socket.ReceiveAsync(buffer, SocketFlags.None).WaitAsync(TimeSpan.FromSeconds(10))) > 0)
        {
            received.Write(buffer, 0, n);
        }

        Assert.Equal(frames, received.ToArray());
    }

    [Fact]
    public async Task The_hosted_server_takes_its_endpoint_from_the_environment_and_stops_gracefully_on_sigterm()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS(), "SIGTERM is a Unix signal.");
        // Configuration: the environment beats the command line's default.
        using var echo = SampleProcess.Start("Echo", ["hosted", "--port", "5999"], new Dictionary<string, string> { ["SocketKit__Echo__EndPoints__0"] = "127.0.0.1:0" });
        var line = await echo.ReadLineStartingWithAsync("hosted echo server listening on ");
        var endPoint = IPEndPoint.Parse(line["hosted echo server listening on ".Length..].Split(';')[0]);
        Assert.Equal(IPAddress.Loopback, endPoint.Address);
        Assert.NotEqual(5999, endPoint.Port);

        using (var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            await socket.ConnectAsync(endPoint).WaitAsync(TimeSpan.FromSeconds(10));
            byte[] frame = [0, 0, 0, 2, (byte)'h', (byte)'i'];
            await socket.SendAsync(frame, SocketFlags.None);
            var reply = new byte[6];
            for (var read = 0; read < reply.Length;)
            {
                read += await socket.ReceiveAsync(reply.AsMemory(read), SocketFlags.None).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            }

            Assert.Equal(frame, reply);
        }

        var (exitCode, rest) = await echo.TerminateAsync();
        Assert.Equal(0, exitCode);
        Assert.Contains("stopped after serving 1 connection(s)", rest);
    }

    [Theory]
    [InlineData("TERM")]
    [InlineData("INT")]
    [InlineData("QUIT")]
    public async Task On_a_stop_signal_the_plain_server_drains_a_connected_client_and_runs_OnDisconnected_before_it_exits(string signal)
    {
        Assert.SkipUnless(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS(), "SIGTERM is a Unix signal.");
        using var echo = SampleProcess.Start("Echo", ["server", "--port", "0"]);
        var line = await echo.ReadLineStartingWithAsync("echo server listening on ");
        var endPoint = IPEndPoint.Parse(line["echo server listening on ".Length..].Split(';')[0]);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(endPoint).WaitAsync(TimeSpan.FromSeconds(10));
        byte[] frame = [0, 0, 0, 2, (byte)'h', (byte)'i'];
        await socket.SendAsync(frame, SocketFlags.None);
        var reply = new byte[frame.Length];
        for (var read = 0; read < reply.Length;)
        {
            read += await socket.ReceiveAsync(reply.AsMemory(read), SocketFlags.None).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        }

        Assert.Equal(frame, reply);
        // The first connection of a process is #1, as the docs say (the server's own tick once took an id first).
        Assert.StartsWith("server: connected    #1 tcp 127.0.0.1:", await echo.ReadLineStartingWithAsync("server: connected "), StringComparison.Ordinal);

        await echo.SignalAsync(signal);

        // The drain: a FIN (a reset would throw here), then the server waits for the client's own.
        Assert.Equal(0, await socket.ReceiveAsync(new byte[16].AsMemory(), SocketFlags.None).AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        socket.Shutdown(SocketShutdown.Send);
        Assert.EndsWith("(ServerShutdown)", await echo.ReadLineStartingWithAsync("server: disconnected "), StringComparison.Ordinal);
        var (exitCode, rest) = await echo.WaitForExitAsync();
        Assert.Equal(0, exitCode);
        Assert.Contains("stopped after serving 1 connection(s)", rest, StringComparison.Ordinal);
    }

    /// <summary>
    /// A client that connects and says nothing is not held for ever (issue 21): the server closes it after its idle
    /// timeout, one minute unless told otherwise; here one second, on the real clock of a real process.
    /// </summary>
    [Theory]
    [InlineData("server", "--idle-timeout", "1")]
    [InlineData("hosted")]
    public async Task A_silent_client_is_closed_after_the_idle_timeout(string command, params string[] idle)
    {
        var environment = new Dictionary<string, string> { ["SocketKit__Echo__Connection__IdleTimeout"] = "00:00:01", ["SocketKit__Echo__EndPoints__0"] = "127.0.0.1:0" };
        using var echo = SampleProcess.Start("Echo", [command, "--port", "0", .. idle], command == "hosted" ? environment : null);
        var prefix = command == "hosted" ? "hosted echo server listening on " : "echo server listening on ";
        var line = await echo.ReadLineStartingWithAsync(prefix);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPEndPoint.Parse(line[prefix.Length..].Split(';')[0])).WaitAsync(TimeSpan.FromSeconds(10));

        // Nothing sent: the server's FIN comes once the connection has been idle for a second (a tick or two later).
        Assert.Equal(0, await socket.ReceiveAsync(new byte[16].AsMemory(), SocketFlags.None).AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        if (command == "server")
        {
            Assert.Contains("(IdleTimeout (TimeoutException: Nothing received or sent for 00:00:01.)", await echo.ReadLineStartingWithAsync("server: disconnected "), StringComparison.Ordinal);
        }

        var (exitCode, _) = await echo.TerminateAsync();
        Assert.Equal(0, exitCode);
    }

    [Fact]
    public async Task On_sigterm_the_udp_server_stops_and_exits_cleanly()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS(), "SIGTERM is a Unix signal.");
        using var echo = SampleProcess.Start("Echo", ["server", "--udp", "--port", "0"]);
        var line = await echo.ReadLineStartingWithAsync("UDP echo server on ");
        var endPoint = IPEndPoint.Parse(line["UDP echo server on ".Length..].Split(';')[0]);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        await socket.SendToAsync("ping"u8.ToArray(), SocketFlags.None, endPoint);
        var buffer = new byte[16];
        var received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0)).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("ping"u8.ToArray(), buffer[..received.ReceivedBytes]);

        var (exitCode, rest) = await echo.TerminateAsync();

        Assert.Equal(0, exitCode);
        Assert.Contains("stopped after echoing 1 datagram(s)", rest, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_server_processes_share_one_port_with_reuse_port_and_both_get_connections()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "SO_REUSEPORT spreads connections on Linux only.");
        using var first = SampleProcess.Start("Echo", ["server", "--port", "0", "--reuse-port"]);
        var port = IPEndPoint.Parse((await first.ReadLineStartingWithAsync("echo server listening on "))["echo server listening on ".Length..].Split(';')[0]).Port;
        using var second = SampleProcess.Start("Echo", ["server", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--reuse-port"]);
        await second.ReadLineStartingWithAsync("echo server listening on ");

        const int Clients = 40; // from as many source ports: the chance that one process gets them all is 2 in 2^40
        for (var i = 0; i < Clients; i++)
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port)).WaitAsync(TimeSpan.FromSeconds(10));
            byte[] frame = [0, 0, 0, 1, (byte)i];
            await socket.SendAsync(frame, SocketFlags.None);
            var reply = new byte[5];
            for (var read = 0; read < reply.Length;)
            {
                read += await socket.ReceiveAsync(reply.AsMemory(read), SocketFlags.None).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            }

            Assert.Equal(frame, reply);
        }

        var served = new List<int>();
        foreach (var server in new[] { first, second })
        {
            var (exitCode, rest) = await server.TerminateAsync();
            Assert.Equal(0, exitCode);
            var stopped = rest.Split('\n').Single(l => l.StartsWith("stopped after serving ", StringComparison.Ordinal));
            served.Add(int.Parse(stopped["stopped after serving ".Length..].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture));
        }

        Assert.Equal(Clients, served.Sum());
        Assert.All(served, count => Assert.True(count > 0, $"one process served none: {string.Join(", ", served)}"));
    }

    [Fact]
    public async Task Over_a_unix_socket_the_server_echoes_socat_and_names_its_process_and_the_client_talks_to_it()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "peer credentials (SO_PEERCRED) are Linux's");
        ExternalTool.Require("socat", "socat");
        var path = Path.Combine(Path.GetTempPath(), $"echo-{Guid.NewGuid():N}.sock");
        using var server = SampleProcess.Start("Echo", ["server", "--unix", path]);
        Assert.Equal($"echo server listening on {path}; Ctrl+C to stop", await server.ReadLineStartingWithAsync("echo server listening on "));

        using (var socat = ExternalTool.StartSocat($"UNIX-CONNECT:{path}"))
        {
            byte[] frame = [0, 0, 0, 3, (byte)'u', (byte)'d', (byte)'s'];
            await socat.StandardInput.BaseStream.WriteAsync(frame);
            socat.StandardInput.Close(); // socat half-closes; the server echoes what it has, then closes
            var echoed = new MemoryStream();
            await socat.StandardOutput.BaseStream.CopyToAsync(echoed).WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(frame, echoed.ToArray());
            var connected = await server.ReadLineStartingWithAsync("server: connected ");
            Assert.Contains($"unix {path} <-> (unnamed) (pid={socat.Id} uid=", connected, StringComparison.Ordinal);
        }

        using (var client = SampleProcess.Start("Echo", ["client", "--unix", path]))
        {
            Assert.StartsWith("client: connected    #", await client.ReadLineStartingWithAsync("client: connected "), StringComparison.Ordinal);
            await client.ReadLineStartingWithAsync("client: received     \"echo!\"");
        }

        var (exitCode, rest) = await server.TerminateAsync();
        Assert.Equal(0, exitCode);
        Assert.Contains("stopped after serving 2 connection(s)", rest, StringComparison.Ordinal);
        Assert.False(File.Exists(path), "the socket file outlived the server");
    }

    [Fact]
    public async Task The_udp_server_sends_each_datagram_back_to_its_sender_unchanged()
    {
        await using var server = Echo.UdpEchoServer.Create(new IPEndPoint(IPAddress.Loopback, 0));
        await server.StartAsync();
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        byte[] datagram = [0x00, 0xFF, (byte)'u', (byte)'d', (byte)'p', 0x0A];
        var buffer = new byte[1024];

        await socket.SendToAsync(datagram, SocketFlags.None, server.LocalEndPoint);
        var received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0)).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(datagram, buffer[..received.ReceivedBytes]);
        Assert.Equal(server.LocalEndPoint, received.RemoteEndPoint);
    }

    [Fact]
    public async Task The_udp_client_talks_to_the_udp_server()
    {
        await using var server = Echo.UdpEchoServer.Create(new IPEndPoint(IPAddress.Loopback, 0));
        await server.StartAsync();
        var output = new StringWriter();

        var exit = await Echo.UdpEchoClient.RunAsync(server.LocalEndPoint, output, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(0, exit);
        Assert.Contains("client: received \"SocketKit\" on udp 127.0.0.1:", output.ToString(), StringComparison.Ordinal);
        Assert.Equal(Echo.EchoClient.Messages.Length, server.ReceivedDatagrams);
    }
}

internal static class Demo
{
    public static Task<int> RunWithin(TextWriter output) => Echo.Demo.RunAsync(output, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
}

[CollectionDefinition(nameof(SampleTests), DisableParallelization = true)]
public sealed class SampleTests;
