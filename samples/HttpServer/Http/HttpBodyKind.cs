namespace HttpServer.Http;

/// <summary>How a request's body is delimited (RFC 9112 section 6.3).</summary>
public enum HttpBodyKind
{
    /// <summary>No body: no Content-Length (or zero) and no Transfer-Encoding.</summary>
    None,

    /// <summary>Content-Length bytes.</summary>
    ContentLength,

    /// <summary>Transfer-Encoding: chunked.</summary>
    Chunked,
}
