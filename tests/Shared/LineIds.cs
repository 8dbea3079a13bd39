using SocketKit.Requests;

namespace SocketKit.TestSupport;

/// <summary>Request ids in "ID TEXT" lines, the same both ways: the id is the first word (for RequestClient and RequestHandler tests).</summary>
public sealed class LineIds : IRequestIds<string, string>
{
    public string WithId(string message, long id) => $"{id} {message}";

    public long? IdOf(string message) => long.TryParse(message.Split(' ')[0], out var id) ? id : null;
}
