using System.Net;
using Chat;
using HttpServer;
using HttpServer.Http;
using SocketKit.Tcp;
using SocketKit.TestSupport;

namespace SocketKit.Samples.Tests.Http;

/// <summary>The sample's HTTP server on a free loopback port, serving a temporary folder.</summary>
public sealed class HttpServerFixture : IAsyncDisposable
{
    private HttpServerFixture(TcpServer<HttpRequestPart, HttpResponse> server, TempDirectory root, ChatHub hub)
    {
        Hub = hub;
        Server = server;
        Root = root;
    }

    public TcpServer<HttpRequestPart, HttpResponse> Server { get; }

    public TempDirectory Root { get; }

    /// <summary>The chat's rooms, for a TCP chat sharing them.</summary>
    public ChatHub Hub { get; }

    public string Url(string path) => $"http://127.0.0.1:{Server.EndPoints[0].Port}{path}";

    public IPEndPoint EndPoint => Server.EndPoints[0];

    public static async Task<HttpServerFixture> StartAsync()
    {
        var root = new TempDirectory();
        File.WriteAllText(Path.Combine(root.Path, "index.html"), "<!doctype html><title>t</title><p>index</p>\n");
        var hub = new ChatHub();
        var server = WebServer.Create(new IPEndPoint(IPAddress.Loopback, 0), root.Path, hub);
        await server.StartAsync(TestContext.Current.CancellationToken);
        return new HttpServerFixture(server, root, hub);
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        Root.Dispose();
    }
}
