using System.Collections.Concurrent;
using SocketKit.Connections;

namespace SocketKit.Requests;

/// <summary>
/// Request/response over one connection of your own protocol: <see cref="SendAsync"/> stamps each request with an id
/// (through <see cref="IRequestIds{TRequest, TResponse}"/>, next to your codec) and completes with the response that
/// carries the same id, in whatever order responses arrive. Each request has a timeout and may be cancelled; at most
/// <see cref="RequestClientOptions.MaxOutstanding"/> are in flight; when the connection ends, every request still
/// waiting fails with its close reason.
/// </summary>
/// <remarks>
/// The client reads the connection itself, so the connection must be in pull mode (created without a handler). A
/// response is handed to another task than the one reading, so its type must not refer to the input buffer (decode
/// into objects of its own, as the JSON and text codecs do; not <c>BytesCodec</c>). The client does not own the
/// connection: dispose it yourself.
/// </remarks>
/// <typeparam name="TRequest">The type of requests sent.</typeparam>
/// <typeparam name="TResponse">The type of responses received.</typeparam>
public sealed class RequestClient<TRequest, TResponse> : IAsyncDisposable
{
    private readonly Connection<TResponse, TRequest> _connection;
    private readonly IRequestIds<TRequest, TResponse> _ids;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<long, TaskCompletionSource<TResponse>> _pending = new();
    private readonly SemaphoreSlim _slots;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _reading;
    private Exception? _ended; // why no more responses will come, once the read loop has ended
    private long _nextId;
    private long _unmatched;
    private int _disposed;

    /// <summary>Starts reading <paramref name="connection"/>'s responses.</summary>
    /// <param name="connection">A pull-mode connection (no handler): responses in, requests out.</param>
    /// <param name="ids">How requests carry ids and responses name them.</param>
    /// <param name="options">Timeout and bound, or <see langword="null"/> for the defaults (30 s, 1 000).</param>
    /// <param name="timeProvider">The clock for timeouts (a fake one in tests), or <see langword="null"/> for the system clock.</param>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public RequestClient(Connection<TResponse, TRequest> connection, IRequestIds<TRequest, TResponse> ids, RequestClientOptions? options = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(ids);
        options ??= new RequestClientOptions();
        options.Validate();
        _connection = connection;
        _ids = ids;
        _timeout = options.Timeout;
        _time = timeProvider ?? TimeProvider.System;
        _slots = new SemaphoreSlim(options.MaxOutstanding, options.MaxOutstanding);
        _reading = ReadAsync();
    }

    /// <summary>Requests sent and not yet answered, timed out or cancelled.</summary>
    public int Outstanding => _pending.Count;

    /// <summary>Messages that answered no waiting request: pushes from the server, or answers that came after their request timed out.</summary>
    public long UnmatchedResponses => Interlocked.Read(ref _unmatched);

    /// <summary>Sends <paramref name="request"/> with a new id and waits for the response that carries it.</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Gives up waiting (for a slot, the send, or the response).</param>
    /// <returns>The response.</returns>
    /// <exception cref="TimeoutException">No response within the timeout.</exception>
    /// <exception cref="ConnectionClosedException">The connection ended before the response came; it says why.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<TResponse> SendAsync(TRequest request, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        var id = Interlocked.Increment(ref _nextId);
        var reply = new TaskCompletionSource<TResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = reply;
        try
        {
            // Registered before this check, so either the read loop fails it when it ends, or this sees that it has.
            if (Volatile.Read(ref _ended) is { } ended)
            {
                throw ended;
            }

            await _connection.SendAsync(_ids.WithId(request, id), cancellationToken).ConfigureAwait(false);
            return await reply.Task.WaitAsync(_timeout, _time, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _pending.TryRemove(id, out _);
            _slots.Release();
        }
    }

    /// <summary>Stops reading and fails the requests still waiting; the connection stays open (it is yours to dispose).</summary>
    /// <returns>A task that completes when the client has stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        await _reading.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
        _slots.Dispose();
    }

    private async Task ReadAsync()
    {
        await Task.Yield(); // never read inside the constructor
        Exception ended;
        try
        {
            await foreach (var message in _connection.ReadAllAsync(_stop.Token).ConfigureAwait(false))
            {
                if (_ids.IdOf(message) is { } id && _pending.TryRemove(id, out var waiter))
                {
                    waiter.TrySetResult(message);
                }
                else
                {
                    Interlocked.Increment(ref _unmatched);
                }
            }

            // The responses ended: nothing more will be answered. The connection records why as its input ends (a reset, the
            // peer's FIN, a close), perhaps a moment after the last read: wait for that reason, to fail the waiting requests with it.
            if (_connection.CloseInfo is null)
            {
                var closing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                using (_connection.Closing.UnsafeRegister(static state => ((TaskCompletionSource)state!).TrySetResult(), closing))
                {
                    await closing.Task.WaitAsync(_stop.Token).ConfigureAwait(false);
                }
            }

            ended = new ConnectionClosedException(_connection.CloseInfo ?? new CloseInfo(CloseReason.PeerClose));
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            ended = new ObjectDisposedException(nameof(RequestClient<TRequest, TResponse>));
        }
        catch (Exception e)
        {
            ended = e; // IdOf threw: the protocol is broken, so no waiting request can be trusted to be answered
        }

        Volatile.Write(ref _ended, ended);
        foreach (var waiter in _pending.Values)
        {
            waiter.TrySetException(ended);
        }
    }
}
