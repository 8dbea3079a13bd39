using System.Text;

namespace HttpServer.Http;

/// <summary>A response to send: status, headers and a body in memory or a file sent from the kernel.</summary>
public sealed class HttpResponse
{
    /// <summary>The interim answer to "Expect: 100-continue".</summary>
    public static HttpResponse Continue { get; } = new(100);

    /// <summary>Creates a response with a status code and no body.</summary>
    public HttpResponse(int statusCode)
    {
        StatusCode = statusCode;
    }

    public int StatusCode { get; }

    /// <summary>Fields besides Date, Server, Content-Length and Connection, which the encoder writes.</summary>
    public List<KeyValuePair<string, string>> Headers { get; } = [];

    public ReadOnlyMemory<byte> Body { get; init; }

    /// <summary>A file to send as the body, after the head, through the connection's zero-copy file path.</summary>
    public FileInfo? File { get; init; }

    /// <summary>The body's length on the wire (also for HEAD and 304, which send none).</summary>
    public long ContentLength => File?.Length ?? Body.Length;

    /// <summary>Write the head only: a HEAD request or a 304 (Content-Length still says what GET would send).</summary>
    public bool OmitBody { get; set; }

    /// <summary>Close the connection after this response ("Connection: close").</summary>
    public bool Close { get; set; }

    /// <summary>An HTTP/1.0 client asked to keep the connection ("Connection: keep-alive").</summary>
    public bool KeepAliveForHttp10 { get; set; }

    /// <summary>Whether this status has no content by definition (1xx, 204, 304), so no Content-Length is written.</summary>
    public bool HasNoContent => StatusCode is < 200 or 204 or 304;

    public static HttpResponse Text(int statusCode, string text, string contentType = "text/plain; charset=utf-8") =>
        new(statusCode) { Body = Encoding.UTF8.GetBytes(text), Headers = { new("Content-Type", contentType) } };

    /// <summary>An error page that also closes the connection when the request could not be read.</summary>
    public static HttpResponse Error(int statusCode, string detail, bool close) =>
        new(statusCode) { Body = Encoding.UTF8.GetBytes($"{statusCode} {HttpStatus.Reason(statusCode)}: {detail}\n"), Headers = { new("Content-Type", "text/plain; charset=utf-8") }, Close = close };
}
