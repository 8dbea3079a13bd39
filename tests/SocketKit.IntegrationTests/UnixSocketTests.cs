using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using SocketKit.Codecs;
using SocketKit.Connections;
using SocketKit.Internal;
using SocketKit.IntegrationTests.Infrastructure;
using SocketKit.Transports;

namespace SocketKit.IntegrationTests;

/// <summary>
/// The socket transport knows sockets, not IP: a Unix domain stream socket carries a connection as TCP does, and its
/// five-tuple holds the paths. (A public server and connector for Unix sockets build on this.)
/// </summary>
[Collection(nameof(LoopbackTests))]
public sealed class UnixSocketTests
{
    [Fact]
    public async Task A_unix_domain_socket_carries_a_connection_whose_five_tuple_has_the_paths()
    {
        Assert.SkipUnless(Socket.OSSupportsUnixDomainSockets, "This OS has no Unix domain sockets.");
        using var directory = new TempDirectory();
        var path = Path.Combine(directory.Path, "echo.sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen();
        using var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await client.ConnectAsync(new UnixDomainSocketEndPoint(path), TestContext.Current.CancellationToken);
        var accepted = await listener.AcceptAsync(TestContext.Current.CancellationToken);

        var options = new ConnectionOptions();
        var codec = Codec.Lines();
        var handler = new RecordingHandler<string, string> { OnMessage = (c, m, ct) => c.SendAsync(m, ct) };
        var transport = new SocketTransport(accepted, options.InputPipeOptions(options.ReceiveBufferLimit(codec.Framing.MaxFrameLength, codec.Framing.MaxOverheadLength)), ConnectionOptions.OutputPipeOptions);
        var connection = new Connection<string, string>(transport, SocketTuple.Of(accepted), codec, handler, options,
            ConnectionTicker.Shared(TimeProvider.System), NullLogger.Instance, group: null, CancellationToken.None);
        _ = connection.RunAsync();

        await client.SendAsync("over a path\n"u8.ToArray(), SocketFlags.None);
        var reply = new byte[64];
        var read = await AsyncAssert.Within(client.ReceiveAsync(reply, SocketFlags.None), "the echo");
        client.Shutdown(SocketShutdown.Send);

        Assert.Equal("over a path\n", System.Text.Encoding.ASCII.GetString(reply, 0, read));
        Assert.Equal(TransportProtocol.Unix, connection.Tuple.Protocol);
        Assert.Equal(path, connection.Tuple.LocalPath);
        Assert.Equal($"unix {path} <-> (unnamed)", connection.Tuple.ToString());
        Assert.Equal(CloseReason.PeerClose, (await AsyncAssert.Within(handler.Disconnected, "the close")).Reason);
    }
}
