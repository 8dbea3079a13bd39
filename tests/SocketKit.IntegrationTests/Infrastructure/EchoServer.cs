using System.Buffers;
using System.Net;
using SocketKit.Codecs;
using SocketKit.Connections;
using SocketKit.Tcp;

namespace SocketKit.IntegrationTests.Infrastructure;

/// <summary>A length-prefixed echo server on loopback port 0, recording its connections' callbacks.</summary>
public sealed class EchoServer : IAsyncDisposable
{
    private EchoServer(TcpServer<ReadOnlySequence<byte>, ReadOnlySequence<byte>> server, ServerRecorder<ReadOnlySequence<byte>, ReadOnlySequence<byte>> handler)
    {
        Server = server;
        Handler = handler;
    }

    public TcpServer<ReadOnlySequence<byte>, ReadOnlySequence<byte>> Server { get; }

    public ServerRecorder<ReadOnlySequence<byte>, ReadOnlySequence<byte>> Handler { get; }

    public IPEndPoint EndPoint => Server.EndPoints[0];

    public static Task<EchoServer> StartAsync(Action<TcpServerOptions>? configure = null, LengthFieldFramerOptions? framing = null) =>
        StartAsync(new ServerRecorder<ReadOnlySequence<byte>, ReadOnlySequence<byte>>(Echoing), configure, framing);

    /// <summary>A recorder that echoes every message.</summary>
    public static RecordingHandler<ReadOnlySequence<byte>, ReadOnlySequence<byte>> Echoing() => new() { OnMessage = (c, m, ct) => c.SendAsync(m, ct) };

    public static async Task<EchoServer> StartAsync(
        ServerRecorder<ReadOnlySequence<byte>, ReadOnlySequence<byte>> handler,
        Action<TcpServerOptions>? configure = null,
        LengthFieldFramerOptions? framing = null,
        IPEndPoint? endPoint = null,
        TimeProvider? time = null)
    {
        var options = new TcpServerOptions();
        options.EndPoints.Add(endPoint ?? Loopback.Any4);
        configure?.Invoke(options);
        var server = new TcpServer<ReadOnlySequence<byte>, ReadOnlySequence<byte>>(options, Codec.LengthPrefixed(framing), handler, timeProvider: time);
        await server.StartAsync();
        return new EchoServer(server, handler);
    }

    public ValueTask DisposeAsync() => Server.DisposeAsync();
}
