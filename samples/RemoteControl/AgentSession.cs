using Microsoft.Extensions.Logging;
using SocketKit;
using SocketKit.Connections;

namespace RemoteControl;

/// <summary>
/// One controller's session on the agent: <c>CHALLENGE nonce</c> first; <c>AUTH mac</c> within the deadline or the
/// connection is reset; then <c>RUN command args...</c>, answered by <c>OUT line</c>s and <c>DONE</c>, or <c>ERR why</c>.
/// </summary>
public sealed class AgentSession(Agent agent) : ConnectionHandler<string, string>
{
    private readonly byte[] _nonce = Authentication.NewNonce();
    private bool _authenticated;

    public override async ValueTask OnConnectedAsync(Connection<string, string> connection, CancellationToken closing)
    {
        _ = DropIfSilentAsync(connection);
        await connection.SendAsync($"CHALLENGE {Authentication.Hex(_nonce)}", closing);
    }

    public override async ValueTask OnMessageAsync(Connection<string, string> connection, string line, CancellationToken closing)
    {
        var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (!_authenticated)
        {
            if (words is ["AUTH", var answer] && Authentication.Verify(agent.Key, _nonce, agent.ChannelBinding, answer))
            {
                _authenticated = true;
                AgentLog.Authenticated(agent.Log, connection.Tuple);
                await connection.SendAsync("WELCOME", closing);
                return;
            }

            AgentLog.AuthenticationFailed(agent.Log, connection.Tuple);
            await connection.SendAsync("DENIED", closing);
            connection.Close();
            return;
        }

        if (words is not ["RUN", var command, .. var args])
        {
            await connection.SendAsync("ERR expected: RUN COMMAND [ARGS]", closing);
            return;
        }

        await RunAsync(connection, command, args, closing);
    }

    private async Task RunAsync(Connection<string, string> connection, string command, string[] args, CancellationToken closing)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(closing);
        timeout.CancelAfter(agent.CommandTimeout);
        try
        {
            await foreach (var output in agent.Commands.RunAsync(command, args, timeout.Token).WithCancellation(timeout.Token))
            {
                await connection.SendAsync($"OUT {output}", closing); // streamed as produced; awaited: a slow controller slows only itself
            }

            AgentLog.Ran(agent.Log, connection.Tuple, command, string.Join(' ', args));
            await connection.SendAsync("DONE", closing);
        }
        catch (RemoteControlException e)
        {
            AgentLog.Refused(agent.Log, connection.Tuple, command, string.Join(' ', args), e.Message);
            await connection.SendAsync($"ERR {e.Message}", closing);
        }
        catch (OperationCanceledException) when (!closing.IsCancellationRequested)
        {
            AgentLog.TimedOut(agent.Log, connection.Tuple, command);
            await connection.SendAsync($"ERR {command} timed out after {agent.CommandTimeout.TotalSeconds:0} s", closing);
        }
    }

    /// <summary>A controller that has not authenticated by the deadline (stalled mid-handshake) is reset.</summary>
    private async Task DropIfSilentAsync(Connection<string, string> connection)
    {
        try
        {
            await Task.Delay(agent.AuthenticationTimeout, agent.Time, connection.Closing);
        }
        catch (OperationCanceledException)
        {
            return; // closed first
        }

        if (!_authenticated)
        {
            AgentLog.Silent(agent.Log, connection.Tuple, agent.AuthenticationTimeout);
            connection.Abort(new TimeoutException("No authentication in time."));
        }
    }
}

/// <summary>What every session of one agent shares.</summary>
public sealed class Agent(byte[] key, byte[] channelBinding, AgentCommands commands, ILogger log, TimeProvider time) : IConnectionHandlerFactory<string, string>
{
    public byte[] Key { get; } = key;

    public byte[] ChannelBinding { get; } = channelBinding;

    public AgentCommands Commands { get; } = commands;

    public ILogger Log { get; } = log;

    public TimeProvider Time { get; } = time;

    public TimeSpan AuthenticationTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public ConnectionHandler<string, string> Create(FiveTuple tuple) => new AgentSession(this);

    public ValueTask ReleaseAsync(ConnectionHandler<string, string> handler, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
