using System.Text;
using Chat;
using HttpServer;
using HttpServer.Http;
using Microsoft.Extensions.Time.Testing;
using SocketKit.Connections;
using SocketKit.Testing;
using SocketKit.TestSupport;

namespace SocketKit.Samples.Tests.Http;

/// <summary>The HTTP session over an in-memory connection: pipelining, errors answered before the close, the keep-alive timeout on a fake clock.</summary>
public class HttpSessionTests
{
    private static (Connection<HttpRequestPart, HttpResponse> Connection, InMemoryPeer Peer) Start(TimeProvider? time = null)
    {
        var options = new ConnectionOptions();
        WebServer.ConfigureConnections(options);
        return InMemoryConnection.CreateWithPeer(HttpCodec.Create(time: time), new HttpSession(WebServer.CreateRouter(Path.GetTempPath(), new ChatHub())), options, time);
    }

    [Fact]
    public async Task Pipelined_requests_are_answered_in_order_and_connection_close_ends_the_pipeline()
    {
        var (connection, peer) = Start();

        await peer.WriteAsync(Encoding.ASCII.GetBytes(
            "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nfirst" +
            "GET /plaintext HTTP/1.1\r\nHost: a\r\n\r\n" +
            "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nthird\r\n0\r\n\r\n" +
            "GET /plaintext HTTP/1.1\r\nHost: a\r\n\r\n"));

        var output = Encoding.ASCII.GetString(await AsyncAssert.Within(peer.ReadToEndAsync(), "the answers and the FIN"));
        await peer.CompleteOutputAsync();
        var bodies = output.Split("\r\n\r\n").Skip(1).Select(part => part.Split("HTTP/1.1")[0]).ToArray();
        Assert.Equal(["first", "Hello, World!", "third"], bodies);
        Assert.Equal(3, output.Split("HTTP/1.1 200 OK").Length - 1);
        Assert.Contains("Connection: close\r\n", output.Split("HTTP/1.1 200 OK")[3]);
        Assert.Equal(CloseReason.LocalClose, (await AsyncAssert.Within(connection.Completion, "the close")).Reason);
    }

    [Fact]
    public async Task A_malformed_request_is_answered_with_its_status_and_connection_close_after_the_good_ones()
    {
        var (connection, peer) = Start();

        await peer.WriteAsync(Encoding.ASCII.GetBytes("GET /plaintext HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\nGET /plaintext HTTP/1.1\r\nHost: a\r\n\r\n"));

        var output = Encoding.ASCII.GetString(await AsyncAssert.Within(peer.ReadToEndAsync(), "the answers and the FIN"));
        await peer.CompleteOutputAsync();
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", output);
        var error = output[output.IndexOf("HTTP/1.1 400 Bad Request\r\n", StringComparison.Ordinal)..];
        Assert.Contains("Connection: close\r\n", error);
        Assert.Contains("The Host header is given more than once.", error);
        Assert.Equal(2, output.Split("Hello, World!").Length); // one answer: nothing after the bad request was served
        var info = await AsyncAssert.Within(connection.Completion, "the close");
        Assert.Equal(CloseReason.ProtocolError, info.Reason);
        Assert.Equal(400, Assert.IsType<BadHttpRequestException>(info.Exception).StatusCode);
    }

    [Fact]
    public async Task An_idle_keep_alive_connection_closes_after_the_keep_alive_timeout()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var (connection, peer) = Start(time);
        await peer.WriteAsync("GET /plaintext HTTP/1.1\r\nHost: a\r\n\r\n"u8.ToArray());
        var head = "HTTP/1.1 200 OK\r\nDate: Thu, 01 Jan 1970 00:00:00 GMT\r\nServer: SocketKit\r\nContent-Length: 13\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHello, World!";
        Assert.Equal(head, Encoding.ASCII.GetString(await AsyncAssert.Within(peer.ReadExactlyAsync(head.Length), "the answer")));

        time.Advance(WebServer.KeepAliveTimeout - TimeSpan.FromSeconds(5));
        Assert.Equal(ConnectionState.Open, connection.State);
        time.Advance(TimeSpan.FromSeconds(6));

        Assert.Empty(await AsyncAssert.Within(peer.ReadToEndAsync(), "the server's FIN at the keep-alive timeout"));
        await peer.CompleteOutputAsync();
        Assert.Equal(CloseReason.IdleTimeout, (await AsyncAssert.Within(connection.Completion, "the close")).Reason);
    }
}
