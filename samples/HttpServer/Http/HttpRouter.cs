using SocketKit.Connections;

namespace HttpServer.Http;

/// <summary>A tiny router: exact method and path to an endpoint; HEAD is served by GET's endpoint; then static files; else 404.</summary>
public sealed class HttpRouter
{
    private readonly Dictionary<string, Dictionary<string, HttpEndpoint>> _routes = new(StringComparer.Ordinal);

    /// <summary>Files served for GET and HEAD when no route matches, if set.</summary>
    public StaticFiles? Files { get; init; }

    public HttpRouter Map(string method, string path, HttpEndpoint endpoint)
    {
        if (!_routes.TryGetValue(path, out var byMethod))
        {
            _routes[path] = byMethod = new(StringComparer.Ordinal);
        }

        byMethod[method] = endpoint;
        return this;
    }

    public HttpRouter MapGet(string path, Func<HttpRequest, HttpResponse> endpoint) =>
        Map("GET", path, (request, _, _) => ValueTask.FromResult<HttpResponse?>(endpoint(request)));

    public HttpRouter MapPost(string path, Func<HttpRequest, HttpResponse> endpoint) =>
        Map("POST", path, (request, _, _) => ValueTask.FromResult<HttpResponse?>(endpoint(request)));

    public ValueTask<HttpResponse?> RouteAsync(HttpRequest request, Connection<HttpRequestPart, HttpResponse> connection, CancellationToken closing)
    {
        if (_routes.TryGetValue(request.Path, out var byMethod))
        {
            if (byMethod.TryGetValue(request.Method, out var endpoint) || (request.Method == "HEAD" && byMethod.TryGetValue("GET", out endpoint)))
            {
                return endpoint(request, connection, closing);
            }

            var allowed = string.Join(", ", byMethod.Keys.Order(StringComparer.Ordinal));
            return ValueTask.FromResult<HttpResponse?>(new HttpResponse(405) { Headers = { new("Allow", allowed) } });
        }

        if (Files is not null && request.Method is "GET" or "HEAD")
        {
            return ValueTask.FromResult<HttpResponse?>(Files.Serve(request));
        }

        return ValueTask.FromResult<HttpResponse?>(HttpResponse.Error(404, request.Path, close: false));
    }
}
