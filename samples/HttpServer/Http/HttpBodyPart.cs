using System.Buffers;

namespace HttpServer.Http;

/// <summary>A piece of a request body, de-chunked. Refers to the connection's input buffer: valid only during the callback.</summary>
public sealed class HttpBodyPart : HttpRequestPart
{
    /// <summary>The bytes (may be empty on the last part of a chunked body).</summary>
    public ReadOnlySequence<byte> Data { get; internal set; }

    /// <summary>Whether this is the body's last part: the request is complete.</summary>
    public bool IsLast { get; internal set; }
}
