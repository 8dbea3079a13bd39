using System.Net;
using Chat;
using HttpServer.ChatPage;
using HttpServer.Http;
using HttpServer.WebSockets;
using SocketKit;
using SocketKit.Connections;
using SocketKit.Tcp;

namespace HttpServer;

/// <summary>The sample's server: routes, static files, one <see cref="HttpSession"/> per connection.</summary>
public static class WebServer
{
    private static readonly byte[] HelloWorld = "Hello, World!"u8.ToArray();
    private static readonly KeyValuePair<string, string> PlainText = new("Content-Type", "text/plain; charset=utf-8");

    /// <param name="endPoint">Where to listen.</param>
    /// <param name="root">The folder of static files.</param>
    /// <param name="chat">The chat's rooms, shared with a TCP chat if there is one.</param>
    /// <param name="time">The clock.</param>
    public static TcpServer<HttpRequestPart, HttpResponse> Create(IPEndPoint endPoint, string root, ChatHub chat, TimeProvider? time = null)
    {
        var options = new TcpServerOptions { EndPoints = { endPoint } };
        ConfigureConnections(options.Connection);
        return new TcpServer<HttpRequestPart, HttpResponse>(options, HttpCodec.Create(time: time), new SessionFactory(CreateRouter(root, chat)), timeProvider: time);
    }

    /// <summary>What the sample serves: /plaintext, /echo, a WebSocket echo at /ws/echo, the chat at /chat, and the files in <paramref name="root"/>.</summary>
    public static HttpRouter CreateRouter(string root, ChatHub chat) =>
        new HttpRouter { Files = new StaticFiles(root) }
            .MapGet("/plaintext", _ => new HttpResponse(200) { Body = HelloWorld, Headers = { PlainText } })
            .MapPost("/echo", request => new HttpResponse(200)
            {
                Body = request.Body,
                Headers = { new("Content-Type", request.Headers["Content-Type"] ?? "application/octet-stream") },
            })
            .Map("GET", "/ws/echo", WebSocketUpgrade.Endpoint(() => new EchoWebSocket()))
            .MapChat(chat);

    /// <summary>How long a keep-alive connection may sit between requests (Kestrel's default is 130 s).</summary>
    public static readonly TimeSpan KeepAliveTimeout = TimeSpan.FromMinutes(2);

    /// <summary>
    /// A keep-alive connection with nothing to do closes after <see cref="KeepAliveTimeout"/> (a head that trickles in is
    /// cut by the frame timeout instead). The input buffer is sized once, for the HTTP codec; a connection upgraded to
    /// WebSocket keeps it, so it must also hold the largest WebSocket frame (Connection.Upgrade refuses a codec whose
    /// frames would not fit).
    /// </summary>
    public static void ConfigureConnections(ConnectionOptions options)
    {
        options.IdleTimeout = KeepAliveTimeout;
        options.MaxReceiveBufferSize = WebSocketLimits.Default.MaxFramePayload + 14 + options.ReceiveSegmentSize;
    }

    /// <summary>A session per connection: it holds the request being gathered.</summary>
    private sealed class SessionFactory(HttpRouter router) : IConnectionHandlerFactory<HttpRequestPart, HttpResponse>
    {
        public ConnectionHandler<HttpRequestPart, HttpResponse> Create(FiveTuple tuple) => new HttpSession(router);

        public ValueTask ReleaseAsync(ConnectionHandler<HttpRequestPart, HttpResponse> handler, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }
}
