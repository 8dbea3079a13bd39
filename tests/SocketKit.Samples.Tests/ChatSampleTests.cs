using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Chat;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace SocketKit.Samples.Tests;

[Collection(nameof(SampleTests))]
public sealed class ChatSampleTests
{
    [Fact]
    public async Task A_nickname_comes_first_then_lines_reach_the_room_with_joins_and_leaves_announced()
    {
        await using var chat = await ChatTest.StartAsync();
        using var ann = await chat.ConnectAsync();
        Assert.StartsWith("Welcome", await ann.ReadLineAsync());
        await ann.WriteLineAsync("hello?");
        Assert.Equal("ERR pick a nickname first: /nick NAME", await ann.ReadLineAsync());
        await ann.WriteLineAsync("/who");
        Assert.Equal("ERR pick a nickname first: /nick NAME", await ann.ReadLineAsync());

        using var bob = await chat.JoinAsync("bob");
        await ann.WriteLineAsync("/nick ann");
        Assert.Equal("* ann joined lobby", await ann.ReadLineAsync());
        Assert.Equal("* ann joined lobby", await bob.ReadLineAsync());

        await bob.WriteLineAsync("hi ann\r"); // CRLF works too
        Assert.Equal("[lobby] bob: hi ann", await ann.ReadLineAsync());
        Assert.Equal("[lobby] bob: hi ann", await bob.ReadLineAsync());

        await ann.WriteLineAsync("/nick anna");
        Assert.Equal("* ann is now anna", await bob.ReadLineAsync());
        Assert.Equal("* ann is now anna", await ann.ReadLineAsync());
        await ann.WriteLineAsync("/who");
        Assert.Equal("USERS lobby: anna, bob", await ann.ReadLineAsync());
        await ann.WriteLineAsync("/dance");
        Assert.Equal("ERR unknown command: /dance", await ann.ReadLineAsync());
        await ann.WriteLineAsync("/quit");
        Assert.Equal("BYE", await ann.ReadLineAsync());
        Assert.Null(await ann.ReadLineAsync()); // the server closed it
        Assert.Equal("* anna left lobby", await bob.ReadLineAsync());
    }

    [Fact]
    public async Task Rooms_are_kept_apart_and_private_messages_reach_only_their_target()
    {
        await using var chat = await ChatTest.StartAsync();
        using var ann = await chat.JoinAsync("ann");
        using var bob = await chat.JoinAsync("bob");
        Assert.Equal("* bob joined lobby", await ann.ReadLineAsync());
        using var cat = await chat.JoinAsync("cat");
        Assert.Equal("* cat joined lobby", await ann.ReadLineAsync());
        Assert.Equal("* cat joined lobby", await bob.ReadLineAsync());

        await cat.WriteLineAsync("/join games");
        Assert.Equal("* cat left lobby", await ann.ReadLineAsync());
        Assert.Equal("* cat left lobby", await bob.ReadLineAsync());
        Assert.Equal("* cat joined games", await cat.ReadLineAsync());
        await cat.WriteLineAsync("anyone for chess?");
        Assert.Equal("[games] cat: anyone for chess?", await cat.ReadLineAsync());
        await ann.WriteLineAsync("lobby only");
        Assert.Equal("[lobby] ann: lobby only", await bob.ReadLineAsync());
        Assert.Equal("[lobby] ann: lobby only", await ann.ReadLineAsync());
        await ann.WriteLineAsync("/msg cat psst");
        Assert.Equal("[PM] ann: psst", await cat.ReadLineAsync());
        Assert.Equal("[PM to cat] psst", await ann.ReadLineAsync());
        await ann.WriteLineAsync("/msg nobody hi");
        Assert.Equal("ERR no such nickname: nobody", await ann.ReadLineAsync());
        await ann.WriteLineAsync("/rooms");
        Assert.Equal("ROOMS games (1), lobby (2)", await ann.ReadLineAsync());

        // Nothing from the lobby reached cat, and nothing from games reached bob: the next lines each reads are these.
        await bob.WriteLineAsync("/who");
        Assert.Equal("USERS lobby: ann, bob", await bob.ReadLineAsync());
        await cat.WriteLineAsync("/who");
        Assert.Equal("USERS games: cat", await cat.ReadLineAsync());
    }

    [Fact]
    public async Task A_nickname_in_use_or_malformed_is_refused()
    {
        await using var chat = await ChatTest.StartAsync();
        using var ann = await chat.JoinAsync("ann");
        using var other = await chat.ConnectAsync();
        await other.ReadLineAsync(); // welcome

        await other.WriteLineAsync("/nick ANN");
        Assert.Equal("ERR nickname taken: ANN", await other.ReadLineAsync());
        await other.WriteLineAsync("/nick not ok!");
        Assert.Equal("ERR a nickname is 1 to 20 letters, digits, '_' or '-'", await other.ReadLineAsync());
        await other.WriteLineAsync("/nick ann2");
        Assert.Equal("* ann2 joined lobby", await other.ReadLineAsync());
        Assert.Equal("* ann2 joined lobby", await ann.ReadLineAsync());
    }

    [Fact]
    public async Task Two_hundred_clients_in_one_room_each_receive_every_message()
    {
        await using var chat = await ChatTest.StartAsync();
        var clients = new List<LineClient>();
        for (var i = 0; i < 200; i++)
        {
            clients.Add(await chat.JoinAsync($"u{i}"));
        }

        // Each reads until it has seen the last client join (the last one read its own join when it joined).
        await Task.WhenAll(clients.SkipLast(1).Select(c => c.ReadUntilAsync("* u199 joined lobby")));
        var senders = clients.Take(5).ToArray();
        for (var round = 0; round < 4; round++)
        {
            for (var s = 0; s < senders.Length; s++)
            {
                await senders[s].WriteLineAsync($"m{round}");
            }
        }

        var expected = Enumerable.Range(0, 4).SelectMany(round => Enumerable.Range(0, 5).Select(s => (Sender: $"u{s}", Text: $"m{round}"))).ToArray();
        await Task.WhenAll(clients.Select(async client =>
        {
            var got = new List<string>();
            while (got.Count < expected.Length)
            {
                got.Add((await client.ReadLineAsync())!);
            }

            // Every message arrives, each sender's in the order it sent them.
            foreach (var sender in Enumerable.Range(0, 5).Select(s => $"u{s}"))
            {
                Assert.Equal(Enumerable.Range(0, 4).Select(r => $"[lobby] {sender}: m{r}"), got.Where(l => l.StartsWith($"[lobby] {sender}:", StringComparison.Ordinal)));
            }
        }));
        clients.ForEach(c => c.Dispose());
    }

    [Fact]
    public async Task Invalid_utf8_or_a_10_MB_line_drops_only_that_client()
    {
        await using var chat = await ChatTest.StartAsync();
        using var ann = await chat.JoinAsync("ann");
        using var mallory = await chat.JoinAsync("mallory");
        Assert.Equal("* mallory joined lobby", await ann.ReadLineAsync());
        using var trudy = await chat.JoinAsync("trudy");
        Assert.Equal("* trudy joined lobby", await ann.ReadLineAsync());

        await mallory.WriteBytesAsync([0xC3, 0x28, (byte)'\n']); // not UTF-8
        Assert.Equal("* mallory left lobby (bad input: dropped)", await ann.ReadLineAsync());
        await trudy.WriteBytesAsync(new byte[10 * 1024 * 1024], tolerateReset: true); // no newline, ever
        Assert.Equal("* trudy left lobby (bad input: dropped)", await ann.ReadLineAsync());

        await ann.WriteLineAsync("still here");
        Assert.Equal("[lobby] ann: still here", await ann.ReadLineAsync());
    }

    [Fact]
    public async Task A_client_that_stops_reading_is_dropped_while_twenty_others_chat_on_and_lose_nothing()
    {
        // Small kernel buffers so that the stuck client's share fills in a few hundred kilobytes.
        await using var chat = await ChatTest.StartAsync(options => options.Socket.ConfigureSocket = s => s.SendBufferSize = 16 * 1024);
        using var stuck = await chat.JoinAsync("stuck", receiveBufferSize: 4096); // joins, then never reads again
        var talkers = new List<LineClient>();
        for (var i = 0; i < 20; i++)
        {
            talkers.Add(await chat.JoinAsync($"t{i}"));
        }

        await Task.WhenAll(talkers.SkipLast(1).Select(c => c.ReadUntilAsync("* t19 joined lobby")));

        // Forty rounds: in each, every talker says one line and every talker must hear all twenty within five seconds
        // (a room that waited for the stuck client would stall for its whole write timeout). The stuck client's share
        // piles up to well past its 64 KiB send buffer, and it is dropped with a notice everyone sees.
        var line = new string('x', 900);
        var sawDrop = new bool[talkers.Count];
        for (var round = 0; round < 40; round++)
        {
            await Task.WhenAll(talkers.Select((client, i) => client.WriteLineAsync($"{round} t{i} {line}")));
            await AsyncAssert.Within(Task.WhenAll(talkers.Select(async (client, i) =>
            {
                var heard = new HashSet<string>();
                while (heard.Count < talkers.Count)
                {
                    var got = (await client.ReadLineAsync())!;
                    if (got == "* stuck left lobby (too slow: dropped)")
                    {
                        sawDrop[i] = true;
                        continue;
                    }

                    var sender = got.Split(' ')[1].TrimEnd(':');
                    Assert.Equal($"[lobby] {sender}: {round} {sender} {line}", got); // this round's line, none lost, none early
                    Assert.True(heard.Add(sender), $"{sender} twice in round {round}");
                }
            })), $"round {round} to reach every talker", seconds: 5);
        }

        await Task.WhenAll(talkers.Select((client, i) => sawDrop[i] ? Task.CompletedTask : client.ReadUntilAsync("* stuck left lobby (too slow: dropped)")));
        talkers.ForEach(c => c.Dispose());
    }

    [Fact]
    public async Task Socat_joins_from_the_command_line_like_any_line_client()
    {
        Assert.SkipUnless(File.Exists("/usr/bin/socat"), "socat is not installed (.ci/run installs it).");
        await using var chat = await ChatTest.StartAsync();
        using var ann = await chat.JoinAsync("ann");
        using var socat = ExternalTool.StartSocat($"TCP:127.0.0.1:{chat.EndPoint.Port}");
        try
        {
            await socat.StandardInput.WriteAsync("/nick nc\nhello from socat\n");
            await socat.StandardInput.FlushAsync();
            Assert.Equal("* nc joined lobby", await ann.ReadLineAsync());
            Assert.Equal("[lobby] nc: hello from socat", await ann.ReadLineAsync());
            await ann.WriteLineAsync("hi socat");
            Assert.Equal("[lobby] ann: hi socat", await ann.ReadLineAsync());

            Assert.StartsWith("Welcome", await socat.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10)));
            Assert.Equal("* nc joined lobby", await socat.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10)));
            Assert.Equal("[lobby] nc: hello from socat", await socat.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10)));
            Assert.Equal("[lobby] ann: hi socat", await socat.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10)));
            socat.StandardInput.Close(); // socat sends FIN; the server closes
            await socat.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal("* nc left lobby", await ann.ReadLineAsync());
        }
        finally
        {
            if (!socat.HasExited)
            {
                socat.Kill();
            }
        }
    }

    [Fact]
    public async Task The_client_command_joins_sends_what_it_reads_and_quits_at_the_end_of_its_input()
    {
        await using var chat = await ChatTest.StartAsync();
        using var ann = await chat.JoinAsync("ann");
        var output = new StringWriter();

        var exit = await ChatClient.RunAsync(chat.EndPoint, "zoe", new StringReader("hello\n/who\n"), output, TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(0, exit);
        Assert.Equal("* zoe joined lobby", await ann.ReadLineAsync());
        Assert.Equal("[lobby] zoe: hello", await ann.ReadLineAsync());
        Assert.Equal("* zoe left lobby", await ann.ReadLineAsync());
        Assert.Equal(["* zoe joined lobby", "[lobby] zoe: hello", "USERS lobby: ann, zoe", "BYE"], output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1));
    }

    [Fact]
    public async Task The_server_runs_with_stdin_closed_and_stops_gracefully_on_sigterm()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS(), "SIGTERM is a Unix signal.");
        using var server = SampleProcess.Start("Chat", ["server", "--port", "0"]);
        var banner = await server.ReadLineStartingWithAsync("chat server listening on ");
        var endPoint = IPEndPoint.Parse(banner["chat server listening on ".Length..].Split(';')[0]);
        Assert.True(IPAddress.IsLoopback(endPoint.Address), banner);

        using (var ann = await LineClient.ConnectAsync(endPoint))
        {
            await ann.ReadLineAsync(); // welcome
            await ann.WriteLineAsync("/nick ann");
            Assert.Equal("* ann joined lobby", await ann.ReadLineAsync());
        }

        var (exitCode, rest) = await server.TerminateAsync();
        Assert.Equal(0, exitCode);
        Assert.Contains("stopped after 1 connection(s)", rest);
    }

    /// <summary>An in-process chat server on a free loopback port.</summary>
    private sealed class ChatTest(IHost host) : IAsyncDisposable
    {
        public IPEndPoint EndPoint => host.Server().EndPoints[0];

        public static async Task<ChatTest> StartAsync(Action<SocketKit.Tcp.TcpServerOptions>? configure = null)
        {
            var host = ChatServer.CreateHost(new IPEndPoint(IPAddress.Loopback, 0), LogLevel.Warning, configure);
            await host.StartAsync(TestContext.Current.CancellationToken);
            return new ChatTest(host);
        }

        public Task<LineClient> ConnectAsync(int? receiveBufferSize = null) => LineClient.ConnectAsync(EndPoint, receiveBufferSize);

        /// <summary>Connects, reads the welcome, picks a nickname and reads its own join.</summary>
        public async Task<LineClient> JoinAsync(string nick, int? receiveBufferSize = null)
        {
            var client = await ConnectAsync(receiveBufferSize);
            await client.ReadLineAsync();
            await client.WriteLineAsync($"/nick {nick}");
            Assert.Equal($"* {nick} joined lobby", await client.ReadLineAsync());
            return client;
        }

        public async ValueTask DisposeAsync()
        {
            await host.StopAsync(CancellationToken.None);
            host.Dispose();
        }
    }
}

/// <summary>A plain socket client that reads and writes text lines, as nc or telnet would.</summary>
public sealed class LineClient : IDisposable
{
    private readonly Socket _socket;
    private readonly StreamReader _reader;
    private readonly NetworkStream _stream;

    private LineClient(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket);
        _reader = new StreamReader(_stream, Encoding.UTF8);
    }

    public static async Task<LineClient> ConnectAsync(IPEndPoint endPoint, int? receiveBufferSize = null)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        if (receiveBufferSize is { } size)
        {
            socket.ReceiveBufferSize = size;
        }

        await socket.ConnectAsync(endPoint).WaitAsync(TimeSpan.FromSeconds(10));
        return new LineClient(socket);
    }

    /// <summary>This client's own address and port, as a server that knows the real client should report it.</summary>
    public IPEndPoint LocalEndPoint => (IPEndPoint)_socket.LocalEndPoint!;

    public async Task<string?> ReadLineAsync() => await _reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10));

    /// <summary>Reads lines until <paramref name="line"/>, skipping the ones before it.</summary>
    public async Task ReadUntilAsync(string line)
    {
        while (await ReadLineAsync() is var got && got != line)
        {
            Assert.True(got is not null, $"The connection ended before \"{line}\".");
        }
    }

    public Task WriteLineAsync(string line) => WriteBytesAsync(Encoding.UTF8.GetBytes(line + "\n"));

    /// <summary>Writes raw bytes; with <paramref name="tolerateReset"/>, a server that drops us mid-write is fine.</summary>
    public async Task WriteBytesAsync(byte[] bytes, bool tolerateReset = false)
    {
        try
        {
            await _stream.WriteAsync(bytes).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (IOException) when (tolerateReset)
        {
            // The server closed this connection before taking it all.
        }
    }

    public void Dispose()
    {
        _reader.Dispose();
        _socket.Dispose();
    }
}
