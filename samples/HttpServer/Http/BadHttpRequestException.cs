using SocketKit.Codecs;

namespace HttpServer.Http;

/// <summary>
/// The request cannot be served as sent: a protocol error carrying the status to answer with (400, 413, 414, 431,
/// 501, 505, 417). The connection answers it and closes.
/// </summary>
public sealed class BadHttpRequestException(int statusCode, string message) : ProtocolException(message)
{
    /// <summary>The status code of the answer.</summary>
    public int StatusCode { get; } = statusCode;
}
