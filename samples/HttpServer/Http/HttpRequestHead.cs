namespace HttpServer.Http;

/// <summary>A parsed and checked request line and header section (RFC 9112).</summary>
public sealed class HttpRequestHead : HttpRequestPart
{
    internal HttpRequestHead(string method, string target, int minorVersion, HttpHeaders headers)
    {
        Method = method;
        Target = target;
        MinorVersion = minorVersion;
        Headers = headers;
        var origin = OriginForm(target);
        var query = origin.IndexOf('?', StringComparison.Ordinal);
        Path = query < 0 ? origin : origin[..query];
        Query = query < 0 ? "" : origin[(query + 1)..];
    }

    /// <summary>The method, e.g. <c>GET</c>.</summary>
    public string Method { get; }

    /// <summary>The request target as sent: <c>/path?query</c>, an absolute URI, an authority (CONNECT) or <c>*</c>.</summary>
    public string Target { get; }

    /// <summary>
    /// The target's path up to any '?', still percent-encoded. For an absolute-form target (<c>http://host/x?y</c>, which
    /// RFC 9112 section 3.2.2 says a server must accept) it is the path within the URI (<c>/x</c>), <c>/</c> if it has none.
    /// </summary>
    public string Path { get; }

    /// <summary>The query after '?', or empty.</summary>
    public string Query { get; }

    /// <summary>0 for HTTP/1.0, 1 for HTTP/1.1 (a higher 1.x minor is answered as 1.1).</summary>
    public int MinorVersion { get; }

    /// <summary>The header fields, in order.</summary>
    public HttpHeaders Headers { get; }

    /// <summary>How the body is delimited.</summary>
    public HttpBodyKind BodyKind { get; internal init; }

    /// <summary>The Content-Length, when <see cref="BodyKind"/> is <see cref="HttpBodyKind.ContentLength"/>.</summary>
    public long ContentLength { get; internal init; }

    /// <summary>Whether the connection stays open after the response (HTTP/1.1 unless "Connection: close"; HTTP/1.0 only with "keep-alive").</summary>
    public bool KeepAlive { get; internal init; }

    /// <summary>The client sent "Expect: 100-continue" and waits for a 100 before it sends the body.</summary>
    public bool ExpectsContinue { get; internal init; }

    /// <summary>Whether a body follows this head.</summary>
    public bool HasBody => BodyKind != HttpBodyKind.None;

    /// <summary>The origin-form of a target: an absolute URI's path and query (the parser checked its form).</summary>
    private static string OriginForm(string target)
    {
        var schemeEnd = target.StartsWith('/') ? -1 : target.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd <= 0)
        {
            return target; // origin-form, asterisk-form (OPTIONS *) or authority-form (CONNECT)
        }

        var pathStart = target.AsSpan(schemeEnd + 3).IndexOfAny('/', '?');
        return pathStart < 0 ? "/"
            : target[schemeEnd + 3 + pathStart] == '?' ? "/" + target[(schemeEnd + 3 + pathStart)..]
            : target[(schemeEnd + 3 + pathStart)..];
    }

    /// <summary>Formats as the request line.</summary>
    public override string ToString() => $"{Method} {Target} HTTP/1.{MinorVersion}";
}
