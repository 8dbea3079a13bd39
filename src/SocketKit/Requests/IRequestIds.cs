namespace SocketKit.Requests;

/// <summary>
/// How a protocol carries request ids: the client stamps each request with an id, and reads from each response the
/// id of the request it answers. Implemented next to the user's codec, which writes and reads the id on the wire.
/// </summary>
/// <typeparam name="TRequest">The type of requests sent.</typeparam>
/// <typeparam name="TResponse">The type of responses (and other messages) received.</typeparam>
public interface IRequestIds<TRequest, TResponse>
{
    /// <summary>Returns <paramref name="request"/> carrying <paramref name="id"/> (a copy, or the same object stamped).</summary>
    /// <param name="request">The request.</param>
    /// <param name="id">Unique among the requests in flight on this connection.</param>
    /// <returns>The request to send.</returns>
    TRequest WithId(TRequest request, long id);

    /// <summary>The id of the request <paramref name="response"/> answers, or <see langword="null"/> for a message that answers none (a server push).</summary>
    /// <param name="response">A received message.</param>
    /// <returns>The id, or <see langword="null"/>.</returns>
    long? IdOf(TResponse response);
}
