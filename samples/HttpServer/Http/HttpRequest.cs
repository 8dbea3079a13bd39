using System.Text;

namespace HttpServer.Http;

/// <summary>A whole request: its head and its body, gathered from the parts.</summary>
public sealed class HttpRequest(HttpRequestHead head, ReadOnlyMemory<byte> body)
{
    public HttpRequestHead Head { get; } = head;

    public string Method => Head.Method;

    public string Path => Head.Path;

    public HttpHeaders Headers => Head.Headers;

    public ReadOnlyMemory<byte> Body { get; } = body;

    public string BodyText => Encoding.UTF8.GetString(Body.Span);
}
