using System.Net;
using Chat;
using HttpServer.Http;
using HttpServer.WebSockets;
using SocketKit;
using SocketKit.Connections;
using SocketKit.Tcp;

namespace HttpServer.ChatPage;

/// <summary>The chat in the HTTP server: the page at /chat, its WebSocket at /chat/ws, and optionally the TCP chat on its own port, all in one hub.</summary>
public static class ChatEndpoints
{
    private static readonly Lazy<byte[]> Page = new(() =>
    {
        using var stream = typeof(ChatEndpoints).Assembly.GetManifestResourceStream("chat.html")!;
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    });

    public static HttpRouter MapChat(this HttpRouter router, ChatHub hub)
    {
        var options = new ConnectionOptions();
        WebServer.ConfigureConnections(options);
        ChatServer.ConfigureConnections(options); // the chat's slow-client policy, as for TCP members
        options.IdleTimeout = Timeout.InfiniteTimeSpan; // a chat tab may sit quietly for hours, as a TCP chat client may
        return router
            .MapGet("/chat", _ => new HttpResponse(200) { Body = Page.Value, Headers = { new("Content-Type", "text/html; charset=utf-8") } })
            .Map("GET", "/chat/ws", WebSocketUpgrade.Endpoint(() => new ChatWebSocket(hub), options: options));
    }

    /// <summary>The TCP chat (the Chat sample's line protocol) on <paramref name="endPoint"/>, in the same rooms as the page.</summary>
    public static TcpServer<string, string> CreateTcpServer(IPEndPoint endPoint, ChatHub hub, TimeProvider? time = null)
    {
        var options = new TcpServerOptions { EndPoints = { endPoint } };
        ChatServer.ConfigureConnections(options.Connection);
        return new TcpServer<string, string>(options, ChatServer.LineCodec, new SessionFactory(hub), timeProvider: time);
    }

    private sealed class SessionFactory(ChatHub hub) : IConnectionHandlerFactory<string, string>
    {
        public ConnectionHandler<string, string> Create(FiveTuple tuple) => new ChatSession(hub);

        public ValueTask ReleaseAsync(ConnectionHandler<string, string> handler, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }
}
