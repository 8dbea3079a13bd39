using System.Buffers;
using SocketKit.Codecs;

namespace HttpServer.Http;

/// <summary>
/// Hands over the part the connection's <see cref="HttpRequestFramer"/> just cut: it parsed the head while looking
/// for its end, so nothing is parsed twice.
/// </summary>
public sealed class HttpRequestDecoder : IFramerAwareDecoder<HttpRequestPart>
{
    /// <summary>The decoder (stateless).</summary>
    public static HttpRequestDecoder Instance { get; } = new();

    /// <inheritdoc />
    public HttpRequestPart Decode(Framer framer, in ReadOnlySequence<byte> frame) =>
        ((HttpRequestFramer)framer).Part ?? throw new InvalidOperationException("The framer has cut no part.");

    /// <summary>Without a connection's framer: parses <paramref name="frame"/> as one whole request head.</summary>
    /// <exception cref="BadHttpRequestException">It is not one.</exception>
    public HttpRequestPart Decode(in ReadOnlySequence<byte> frame)
    {
        var framer = new HttpRequestFramer(HttpLimits.Default);
        var input = frame;
        return framer.Decode(ref input, out _) == FrameStatus.Frame && framer.Part is HttpRequestHead head && input.IsEmpty
            ? head
            : throw HttpHeadParser.Bad("The frame is not exactly one request head.");
    }
}
