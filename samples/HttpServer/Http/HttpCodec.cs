using SocketKit.Codecs;

namespace HttpServer.Http;

/// <summary>The HTTP/1.1 server codec: request parts in, responses out.</summary>
public static class HttpCodec
{
    public static Codec<HttpRequestPart, HttpResponse> Create(HttpLimits? limits = null, TimeProvider? time = null)
    {
        limits ??= HttpLimits.Default;
        return new(new FramerFactory(() => new HttpRequestFramer(limits)), HttpRequestDecoder.Instance, new HttpResponseEncoder(time ?? TimeProvider.System));
    }
}
