namespace HttpServer.Http;

/// <summary>
/// What the HTTP codec delivers, in order: a request's <see cref="HttpRequestHead"/>, then, if it has a body, its
/// <see cref="HttpBodyPart"/>s, the last one marked. The parts of one request never interleave with the next's.
/// </summary>
public abstract class HttpRequestPart
{
    private protected HttpRequestPart()
    {
    }
}
