using System.Buffers;
using SocketKit.Codecs;
using SocketKit.Connections;

namespace HttpServer.Http;

/// <summary>
/// One connection's HTTP/1.1 exchange: gathers each request's body, sends "100 Continue" when asked, routes, answers
/// in request order (pipelined requests wait their turn: parts are delivered one at a time), keeps the connection
/// alive or closes it, and answers a request that cannot be parsed with its status before closing.
/// </summary>
public sealed class HttpSession(HttpRouter router) : ConnectionHandler<HttpRequestPart, HttpResponse>
{
    private HttpRequestHead? _head;
    private ArrayBufferWriter<byte>? _body;

    public override async ValueTask OnMessageAsync(Connection<HttpRequestPart, HttpResponse> connection, HttpRequestPart part, CancellationToken closing)
    {
        switch (part)
        {
            case HttpRequestHead head when !head.HasBody:
                await RespondAsync(connection, new HttpRequest(head, ReadOnlyMemory<byte>.Empty), closing);
                break;
            case HttpRequestHead head:
                (_head, _body) = (head, new ArrayBufferWriter<byte>((int)Math.Min(head.ContentLength is > 0 and var n ? n : 4096, 1 << 20)));
                if (head.ExpectsContinue)
                {
                    await connection.SendAsync(HttpResponse.Continue, closing);
                }

                break;
            case HttpBodyPart body:
                foreach (var segment in body.Data)
                {
                    _body!.Write(segment.Span);
                }

                if (body.IsLast)
                {
                    var request = new HttpRequest(_head!, _body!.WrittenMemory);
                    (_head, _body) = (null, null);
                    await RespondAsync(connection, request, closing);
                }

                break;
        }
    }

    public override async ValueTask OnProtocolErrorAsync(Connection<HttpRequestPart, HttpResponse> connection, ProtocolException error, CancellationToken closing)
    {
        var status = error is BadHttpRequestException bad ? bad.StatusCode : 400;
        await connection.SendAsync(HttpResponse.Error(status, error.Message, close: true), closing);
    }

    private async ValueTask RespondAsync(Connection<HttpRequestPart, HttpResponse> connection, HttpRequest request, CancellationToken closing)
    {
        HttpResponse? response;
        try
        {
            response = await router.RouteAsync(request, connection, closing);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            response = HttpResponse.Error(500, "the endpoint failed", close: true);
        }

        if (response is null)
        {
            return; // the endpoint answered on the connection itself (an upgrade)
        }

        response.OmitBody |= request.Method == "HEAD" || response.StatusCode == 304;
        response.Close |= !request.Head.KeepAlive;
        response.KeepAliveForHttp10 = request.Head.MinorVersion == 0 && !response.Close;
        await connection.SendAsync(response, closing);
        if (response.File is { } file && !response.OmitBody)
        {
            await connection.SendFileAsync(file.FullName, 0, file.Length, closing);
        }

        if (response.Close)
        {
            connection.Close();
        }
    }
}
