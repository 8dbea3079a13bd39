using SocketKit.Codecs;
using SocketKit.Connections;

namespace SocketKit.Requests;

/// <summary>
/// The server side of request/response: each request is handled on its own task, so a slow one does not hold up the
/// ones after it, and its response goes back carrying the request's id (through <see cref="IRequestIds{TRequest, TResponse}"/>,
/// the same interface a <see cref="RequestClient{TRequest, TResponse}"/> uses, read the other way round). At most
/// <see cref="MaxConcurrentRequests"/> run at once per connection; beyond that the connection stops reading, so a client
/// that floods requests is slowed by TCP rather than growing the server's memory.
/// </summary>
/// <remarks>
/// <para>Responses leave in the order their requests finish, not the order they came. A request is handed to another task
/// than the one reading, so its type must not refer to the input buffer (decode into objects of its own, as the JSON and
/// text codecs do; not <c>BytesCodec</c>).</para>
/// <para>A request without an id closes the connection as a protocol error. A request whose handling throws closes it as a
/// handler error, unless <see cref="TryAnswerFailure"/> turns the exception into a response. When the connection closes,
/// the requests still running see their token cancelled and their responses are dropped.</para>
/// <para>One instance may serve every connection of a server: what it keeps per connection lives in the connection's
/// <see cref="Connection{TIn, TOut}.Items"/>.</para>
/// </remarks>
/// <typeparam name="TRequest">The type of requests received.</typeparam>
/// <typeparam name="TResponse">The type of responses sent.</typeparam>
public abstract class RequestHandler<TRequest, TResponse> : ConnectionHandler<TRequest, TResponse>
{
    private readonly IRequestIds<TResponse, TRequest> _ids;

    /// <summary>Creates the handler.</summary>
    /// <param name="ids">How requests name their id and responses carry it (a client's <see cref="IRequestIds{TRequest, TResponse}"/> with the types swapped).</param>
    /// <param name="maxConcurrentRequests">The most requests handled at once on one connection. Defaults to 16.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxConcurrentRequests"/> is not positive.</exception>
    protected RequestHandler(IRequestIds<TResponse, TRequest> ids, int maxConcurrentRequests = 16)
    {
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxConcurrentRequests);
        _ids = ids;
        MaxConcurrentRequests = maxConcurrentRequests;
    }

    /// <summary>The most requests handled at once on one connection.</summary>
    public int MaxConcurrentRequests { get; }

    /// <summary>Answers one request; runs on its own task, alongside the connection's other requests.</summary>
    /// <param name="connection">The connection it came on.</param>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Cancelled when the connection closes.</param>
    /// <returns>The response; its id is set from the request's.</returns>
    protected abstract ValueTask<TResponse> HandleAsync(Connection<TRequest, TResponse> connection, TRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// Turns a failure of <see cref="HandleAsync"/> into a response (an error message of your protocol). Returns
    /// <see langword="false"/> by default: the connection then closes with <see cref="CloseReason.HandlerError"/>.
    /// </summary>
    /// <param name="request">The request whose handling failed.</param>
    /// <param name="error">What it threw.</param>
    /// <param name="response">The response to send, when this returns <see langword="true"/>.</param>
    /// <returns>Whether to answer and carry on.</returns>
    protected virtual bool TryAnswerFailure(TRequest request, Exception error, out TResponse response)
    {
        response = default!;
        return false;
    }

    /// <summary>Starts handling the request, after waiting for a free slot on this connection (which holds up reading).</summary>
    /// <param name="connection">The connection.</param>
    /// <param name="message">The request.</param>
    /// <param name="closing">Cancelled when the connection closes.</param>
    /// <returns>A task that completes once the request is handed to its own task.</returns>
    public sealed override async ValueTask OnMessageAsync(Connection<TRequest, TResponse> connection, TRequest message, CancellationToken closing)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (_ids.IdOf(message) is not { } id)
        {
            connection.TryClose(CloseReason.ProtocolError, new MalformedFrameException("A request carried no id."));
            return;
        }

        var slots = Slots(connection);
        await slots.TakeAsync(closing).ConfigureAwait(false);
        _ = AnswerAsync(connection, message, id, slots, closing);
    }

    private async Task AnswerAsync(Connection<TRequest, TResponse> connection, TRequest request, long id, RequestSlots slots, CancellationToken closing)
    {
        try
        {
            await Task.Yield(); // off the connection's loop: the next request is read meanwhile
            TResponse response;
            try
            {
                response = await HandleAsync(connection, request, closing).ConfigureAwait(false);
            }
            catch (Exception e) when (!closing.IsCancellationRequested)
            {
                if (!TryAnswerFailure(request, e, out response))
                {
                    connection.TryClose(CloseReason.HandlerError, e);
                    return;
                }
            }

            await connection.SendAsync(_ids.WithId(response, id), closing).ConfigureAwait(false);
        }
        catch (Exception e) when (closing.IsCancellationRequested || e is ConnectionClosedException)
        {
            // The connection closed while the request ran: nobody is waiting for its response.
        }
        finally
        {
            slots.Release();
        }
    }

    private RequestSlots Slots(Connection<TRequest, TResponse> connection)
    {
        var items = connection.Items;
        if (items.TryGetValue(this, out var found))
        {
            return (RequestSlots)found!;
        }

        var slots = new RequestSlots(MaxConcurrentRequests);
        items[this] = slots; // only the connection's own loop gets here, one message at a time
        return slots;
    }
}
