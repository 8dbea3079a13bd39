namespace HttpServer.Http;

/// <summary>How much of a request the parser accepts before it answers 414, 431 or 413. Defaults follow common servers.</summary>
public sealed class HttpLimits
{
    /// <summary>The defaults.</summary>
    public static HttpLimits Default { get; } = new();

    /// <summary>The longest request line, CRLF included (8 KiB); longer is answered 414.</summary>
    public int MaxRequestLine { get; init; } = 8 * 1024;

    /// <summary>The most bytes of header fields, CRLFs and the empty line included (16 KiB); more is answered 431. Trailers count apart, against the same limit.</summary>
    public int MaxFieldSection { get; init; } = 16 * 1024;

    /// <summary>The most header fields (100); more is answered 431.</summary>
    public int MaxFields { get; init; } = 100;

    /// <summary>The largest request body (1 MiB); larger is answered 413, as soon as it is known.</summary>
    public long MaxBody { get; init; } = 1024 * 1024;

    /// <summary>The longest chunk-size line, extensions and CRLF included (1 KiB); longer is answered 400.</summary>
    public int MaxChunkLine { get; init; } = 1024;

    /// <summary>
    /// The most bytes of chunk extensions in one request, over all its chunks (16 KiB, as Node.js since CVE-2024-22019);
    /// more is answered 413. Without it, a body of one-byte chunks could carry a thousand times its size in extensions.
    /// </summary>
    public int MaxChunkExtensions { get; init; } = 16 * 1024;

    /// <summary>The largest piece of body handed over at once (64 KiB); also the framer's maximum frame.</summary>
    public int MaxBodyPiece { get; init; } = 64 * 1024;
}
