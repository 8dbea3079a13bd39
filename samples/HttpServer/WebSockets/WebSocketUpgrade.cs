using System.Security.Cryptography;
using System.Text;
using HttpServer.Http;
using SocketKit.Connections;

namespace HttpServer.WebSockets;

/// <summary>
/// The opening handshake (RFC 6455 section 4.2): checks the client's request, answers 101 with the accept key, and
/// switches the connection from the HTTP codec to the WebSocket codec with <c>Connection.Upgrade</c>.
/// </summary>
public static class WebSocketUpgrade
{
    private const string KeyGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    /// <summary>An endpoint that upgrades to a new session from <paramref name="createSession"/>, with the upgraded connection's own settings if given.</summary>
    public static HttpEndpoint Endpoint(Func<WebSocketSession> createSession, WebSocketLimits? limits = null, ConnectionOptions? options = null) =>
        (request, connection, closing) => AcceptAsync(request, connection, createSession, limits, options, closing);

    public static async ValueTask<HttpResponse?> AcceptAsync(
        HttpRequest request, Connection<HttpRequestPart, HttpResponse> connection, Func<WebSocketSession> createSession, WebSocketLimits? limits,
        ConnectionOptions? options, CancellationToken closing)
    {
        var headers = request.Headers;
        if (request.Method != "GET" || request.Head.MinorVersion < 1 || !headers.HasToken("Upgrade", "websocket") || !headers.HasToken("Connection", "Upgrade"))
        {
            return UpgradeRequired("This endpoint speaks WebSocket: send a GET with Upgrade: websocket.");
        }

        if (headers["Sec-WebSocket-Version"] != "13")
        {
            return UpgradeRequired("Only WebSocket version 13 is served.");
        }

        if (!IsValidKey(headers["Sec-WebSocket-Key"]))
        {
            return HttpResponse.Error(400, "Sec-WebSocket-Key must be 16 bytes in base64.", close: false);
        }

#pragma warning disable CA5350 // RFC 6455 fixes SHA-1 here: it proves the server read the handshake, it protects nothing
        var accept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(headers["Sec-WebSocket-Key"]!.Trim() + KeyGuid)));
#pragma warning restore CA5350
        var response = new HttpResponse(101) { Headers = { new("Upgrade", "websocket"), new("Connection", "Upgrade"), new("Sec-WebSocket-Accept", accept) } };
        // From the next byte on, the connection speaks WebSocket: the 101 goes out first, then the session starts.
        connection.Upgrade(WebSocketCodec.Create(limits), createSession(), options);
        await connection.SendAsync(response, closing);
        return null;
    }

    private static bool IsValidKey(string? key)
    {
        Span<byte> decoded = stackalloc byte[18];
        return key is not null && Convert.TryFromBase64String(key.Trim(), decoded, out var length) && length == 16;
    }

    private static HttpResponse UpgradeRequired(string why)
    {
        var response = HttpResponse.Error(426, why, close: false);
        response.Headers.Add(new("Upgrade", "websocket"));
        response.Headers.Add(new("Sec-WebSocket-Version", "13"));
        return response;
    }
}
