using SocketKit.Connections;

namespace HttpServer.Http;

/// <summary>
/// Answers one request. Returns the response, or <see langword="null"/> when the endpoint has answered on the
/// connection itself (a WebSocket upgrade sends its 101 and switches the connection's protocol).
/// </summary>
public delegate ValueTask<HttpResponse?> HttpEndpoint(HttpRequest request, Connection<HttpRequestPart, HttpResponse> connection, CancellationToken closing);
