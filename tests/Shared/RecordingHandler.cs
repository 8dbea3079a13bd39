using System.Collections.Concurrent;
using SocketKit.Connections;

namespace SocketKit.TestSupport;

/// <summary>
/// Records every callback in order, and checks the contract as it goes: callbacks never overlap, Connected comes
/// first and once, Disconnected last and once, and every callback's token is cancelled by Disconnected.
/// </summary>
public class RecordingHandler<TIn, TOut> : ConnectionHandler<TIn, TOut>
{
    private readonly ConcurrentQueue<string> _events = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _eventWaiters = new();
    private readonly ConcurrentDictionary<int, TaskCompletionSource> _countWaiters = new();
    private readonly TaskCompletionSource<CloseInfo> _disconnected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _inCallback;
    private int _connected;
    private int _disconnectedCount;

    public Func<Connection<TIn, TOut>, TIn, CancellationToken, ValueTask>? OnMessage { get; set; }

    public Func<Connection<TIn, TOut>, CancellationToken, ValueTask>? OnConnected { get; set; }

    public ConcurrentQueue<TIn> Messages { get; } = new();

    public ConcurrentQueue<Exception> Errors { get; } = new();

    public string[] Events => _events.ToArray();

    public List<string> Violations { get; } = new();

    public Task<CloseInfo> Disconnected => _disconnected.Task;

    public int ConnectedCount => Volatile.Read(ref _connected);

    /// <summary>Completes when a callback named <paramref name="name"/> has run (e.g. "idle:Reader", "writable:False").</summary>
    public Task WhenEvent(string name) => Waiter(name).Task;

    public int DisconnectedCount => Volatile.Read(ref _disconnectedCount);

    /// <summary>Completes once <paramref name="count"/> messages have been received.</summary>
    public Task WhenMessageCount(int count)
    {
        var waiter = _countWaiters.GetOrAdd(count, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        if (Messages.Count >= count)
        {
            waiter.TrySetResult();
        }

        return waiter.Task;
    }

    public override async ValueTask OnConnectedAsync(Connection<TIn, TOut> connection, CancellationToken closing)
    {
        Enter("connected");
        if (Interlocked.Increment(ref _connected) != 1)
        {
            Violation("connected twice");
        }

        try
        {
            if (OnConnected is not null)
            {
                await OnConnected(connection, closing);
            }
        }
        finally
        {
            Exit();
        }
    }

    public override async ValueTask OnMessageAsync(Connection<TIn, TOut> connection, TIn message, CancellationToken closing)
    {
        Enter("message");
        try
        {
            Messages.Enqueue(message);
            if (_countWaiters.TryGetValue(Messages.Count, out var counted))
            {
                counted.TrySetResult();
            }
            if (OnMessage is not null)
            {
                await OnMessage(connection, message, closing);
            }
        }
        finally
        {
            Exit();
        }
    }

    public override ValueTask OnIdleAsync(Connection<TIn, TOut> connection, IdleKind kind, CancellationToken closing)
    {
        Enter("idle:" + kind);
        Exit();
        return ValueTask.CompletedTask;
    }

    public override ValueTask OnInputCompletedAsync(Connection<TIn, TOut> connection, CancellationToken closing)
    {
        Enter("input-completed");
        Exit();
        return ValueTask.CompletedTask;
    }

    public override void OnWritabilityChanged(Connection<TIn, TOut> connection, bool writable)
    {
        Enter("writable:" + writable);
        Exit();
    }

    public override void OnError(Connection<TIn, TOut> connection, Exception error)
    {
        Enter("error");
        Errors.Enqueue(error);
        Exit();
    }

    public override ValueTask OnDisconnectedAsync(Connection<TIn, TOut> connection, CloseInfo closeInfo, CancellationToken cancellationToken)
    {
        Enter("disconnected");
        if (Interlocked.Increment(ref _disconnectedCount) != 1)
        {
            Violation("disconnected twice");
        }

        if (Volatile.Read(ref _connected) != 1)
        {
            Violation("disconnected without connected");
        }

        if (!connection.Closing.IsCancellationRequested)
        {
            Violation("closing token not cancelled at disconnect");
        }

        Exit();
        _disconnected.TrySetResult(closeInfo);
        return ValueTask.CompletedTask;
    }

    private void Enter(string name)
    {
        if (Interlocked.Exchange(ref _inCallback, 1) != 0)
        {
            Violation("overlapping callback: " + name);
        }

        if (DisconnectedCount > 0)
        {
            Violation("callback after disconnected: " + name);
        }

        _events.Enqueue(name);
        Waiter(name).TrySetResult();
    }

    private TaskCompletionSource Waiter(string name) =>
        _eventWaiters.GetOrAdd(name, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    private void Exit() => Volatile.Write(ref _inCallback, 0);

    private void Violation(string what)
    {
        lock (Violations)
        {
            Violations.Add(what);
        }
    }
}
