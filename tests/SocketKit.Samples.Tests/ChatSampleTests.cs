using System.Net;
using System.Net.Sockets;
using System.Text;
using Chat;
using SocketKit.Codecs;
using SocketKit.Tcp;

namespace SocketKit.Samples.Tests;

[Collection(nameof(SampleTests))]
public class ChatSampleTests
{
    [Fact]
    public async Task Nicknames_are_asked_for_and_lines_are_broadcast_to_everyone()
    {
        var options = new TcpServerOptions { EndPoints = { new IPEndPoint(IPAddress.Loopback, 0) } };
        await using var server = new TcpServer<string, string>(options, Codec.Lines(), new ChatHandler());
        await server.StartAsync();

        using var ann = await LineClient.ConnectAsync(server.EndPoints[0]);
        Assert.Equal("Your nickname?", await ann.ReadLineAsync());
        await ann.WriteLineAsync("ann");
        Assert.Equal("* ann joined", await ann.ReadLineAsync());

        using var bob = await LineClient.ConnectAsync(server.EndPoints[0]);
        Assert.Equal("Your nickname?", await bob.ReadLineAsync());
        await bob.WriteLineAsync("bob");
        Assert.Equal("* bob joined", await bob.ReadLineAsync());
        Assert.Equal("* bob joined", await ann.ReadLineAsync());

        await bob.WriteLineAsync("hello ann");
        Assert.Equal("bob: hello ann", await ann.ReadLineAsync());
        Assert.Equal("bob: hello ann", await bob.ReadLineAsync());
    }

    [Fact]
    public async Task The_sample_runs_with_stdin_closed_and_stops_gracefully_on_sigterm()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS(), "SIGTERM is a Unix signal.");
        using var chat = SampleProcess.Start("Chat", ["0"]);
        var banner = await chat.ReadLineStartingWithAsync("chat on ");
        var endPoint = IPEndPoint.Parse(banner.Split(' ')[2].TrimEnd(';'));
        Assert.True(IPAddress.IsLoopback(endPoint.Address), banner);

        using (var ann = await LineClient.ConnectAsync(endPoint))
        {
            Assert.Equal("Your nickname?", await ann.ReadLineAsync());
            await ann.WriteLineAsync("ann");
            Assert.Equal("* ann joined", await ann.ReadLineAsync());
        }

        var (exitCode, rest) = await chat.TerminateAsync();
        Assert.Equal(0, exitCode);
        Assert.Contains("stopped after 1 connection(s)", rest);
    }

    /// <summary>A plain socket client that reads and writes text lines, as nc or telnet would.</summary>
    private sealed class LineClient : IDisposable
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

        public static async Task<LineClient> ConnectAsync(IPEndPoint endPoint)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(endPoint).WaitAsync(TimeSpan.FromSeconds(10));
            return new LineClient(socket);
        }

        public async Task<string?> ReadLineAsync() => await _reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10));

        public Task WriteLineAsync(string line) => _stream.WriteAsync(Encoding.UTF8.GetBytes(line + "\n")).AsTask().WaitAsync(TimeSpan.FromSeconds(10));

        public void Dispose()
        {
            _reader.Dispose();
            _socket.Dispose();
        }
    }
}
