using System.Collections.Concurrent;
using System.Threading.Channels;
using SocketKit.Connections;

namespace SocketKit.IntegrationTests.Infrastructure;

/// <summary>
/// A handler for many sessions: records each callback as an event tests can await in order, and checks per session
/// that Connected comes first and once, Disconnected last and once, and callbacks never overlap.
/// </summary>
public sealed class SessionRecorder : ConnectionHandler<string, string>
{
    private readonly Channel<SessionEvent> _events = Channel.CreateUnbounded<SessionEvent>();
    private readonly ConcurrentDictionary<long, int> _inCallback = new();
    private readonly ConcurrentDictionary<long, string> _lastKind = new();

    /// <summary>What to do with a message; defaults to replying "re:" + message.</summary>
    public Func<Connection<string, string>, string, CancellationToken, ValueTask>? OnMessage { get; set; }

    public ConcurrentQueue<string> Violations { get; } = new();

    /// <summary>The next event, whatever it is.</summary>
    public async Task<SessionEvent> NextAsync(string what, int seconds = AsyncAssert.DefaultSeconds) =>
        await AsyncAssert.Within(_events.Reader.ReadAsync().AsTask(), what, seconds);

    /// <summary>The next event of <paramref name="kind"/>, skipping others.</summary>
    public async Task<SessionEvent> NextAsync(string kind, string what, int seconds = AsyncAssert.DefaultSeconds)
    {
        while (true)
        {
            var next = await NextAsync(what, seconds);
            if (next.Kind == kind)
            {
                return next;
            }
        }
    }

    public override ValueTask OnConnectedAsync(Connection<string, string> connection, CancellationToken closing)
    {
        Record(connection, "connected", null);
        return ValueTask.CompletedTask;
    }

    public override async ValueTask OnMessageAsync(Connection<string, string> connection, string message, CancellationToken closing)
    {
        Enter(connection);
        try
        {
            await (OnMessage?.Invoke(connection, message, closing) ?? connection.SendAsync("re:" + message, closing));
            Record(connection, "message", message);
        }
        finally
        {
            Exit(connection);
        }
    }

    public override void OnError(Connection<string, string> connection, Exception error) => Record(connection, "error", error.GetType().Name);

    public override ValueTask OnDisconnectedAsync(Connection<string, string> connection, CloseInfo closeInfo, CancellationToken cancellationToken)
    {
        Record(connection, "disconnected", closeInfo.Reason.ToString());
        return ValueTask.CompletedTask;
    }

    private void Enter(Connection<string, string> connection)
    {
        if (_inCallback.AddOrUpdate(connection.Id, 1, (_, n) => n + 1) != 1)
        {
            Violations.Enqueue($"#{connection.Id}: callbacks overlapped");
        }
    }

    private void Exit(Connection<string, string> connection) => _inCallback.AddOrUpdate(connection.Id, 0, (_, n) => n - 1);

    private void Record(Connection<string, string> connection, string kind, string? detail)
    {
        var previous = _lastKind.GetValueOrDefault(connection.Id);
        if ((kind == "connected") != (previous is null) || previous == "disconnected")
        {
            Violations.Enqueue($"#{connection.Id}: {kind} after {previous ?? "nothing"}");
        }

        _lastKind[connection.Id] = kind;
        _events.Writer.TryWrite(new SessionEvent(kind, connection.Id, connection.Tuple, detail, connection));
    }
}

/// <summary>One recorded session callback.</summary>
public sealed record SessionEvent(string Kind, long Id, FiveTuple Tuple, string? Detail, Connection<string, string> Connection);
