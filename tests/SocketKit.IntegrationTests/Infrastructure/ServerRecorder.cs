using System.Collections.Concurrent;
using SocketKit.Connections;

namespace SocketKit.IntegrationTests.Infrastructure;

/// <summary>A server handler that gives each connection its own <see cref="RecordingHandler{TIn, TOut}"/>.</summary>
public sealed class ServerRecorder<TIn, TOut> : ConnectionHandler<TIn, TOut>
{
    private readonly Func<RecordingHandler<TIn, TOut>> _create;
    private readonly ConcurrentDictionary<long, RecordingHandler<TIn, TOut>> _byId = new();
    private readonly Channel _connected = new();

    public ServerRecorder(Func<RecordingHandler<TIn, TOut>>? create = null) => _create = create ?? (() => new RecordingHandler<TIn, TOut>());

    public ICollection<RecordingHandler<TIn, TOut>> All => _byId.Values;

    /// <summary>The next connection the server accepts (in accept order).</summary>
    public Task<(Connection<TIn, TOut> Connection, RecordingHandler<TIn, TOut> Recorder)> NextConnectedAsync() => _connected.ReadAsync();

    public override async ValueTask OnConnectedAsync(Connection<TIn, TOut> connection, CancellationToken closing)
    {
        var recorder = _byId.GetOrAdd(connection.Id, _ => _create());
        await recorder.OnConnectedAsync(connection, closing);
        _connected.Write((connection, recorder));
    }

    public override ValueTask OnMessageAsync(Connection<TIn, TOut> connection, TIn message, CancellationToken closing) =>
        _byId[connection.Id].OnMessageAsync(connection, message, closing);

    public override ValueTask OnIdleAsync(Connection<TIn, TOut> connection, IdleKind kind, CancellationToken closing) =>
        _byId[connection.Id].OnIdleAsync(connection, kind, closing);

    public override ValueTask OnInputCompletedAsync(Connection<TIn, TOut> connection, CancellationToken closing) =>
        _byId[connection.Id].OnInputCompletedAsync(connection, closing);

    public override void OnError(Connection<TIn, TOut> connection, Exception error) => _byId[connection.Id].OnError(connection, error);

    public override void OnWritabilityChanged(Connection<TIn, TOut> connection, bool writable) => _byId[connection.Id].OnWritabilityChanged(connection, writable);

    public override ValueTask OnDisconnectedAsync(Connection<TIn, TOut> connection, CloseInfo closeInfo, CancellationToken cancellationToken) =>
        _byId[connection.Id].OnDisconnectedAsync(connection, closeInfo, cancellationToken);

    private sealed class Channel
    {
        private readonly System.Threading.Channels.Channel<(Connection<TIn, TOut>, RecordingHandler<TIn, TOut>)> _inner =
            System.Threading.Channels.Channel.CreateUnbounded<(Connection<TIn, TOut>, RecordingHandler<TIn, TOut>)>();

        public void Write((Connection<TIn, TOut>, RecordingHandler<TIn, TOut>) item) => _inner.Writer.TryWrite(item);

        public Task<(Connection<TIn, TOut>, RecordingHandler<TIn, TOut>)> ReadAsync() =>
            AsyncAssert.Within(_inner.Reader.ReadAsync().AsTask(), "a connection to be accepted");
    }
}
