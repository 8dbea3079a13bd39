using SocketKit.Connections;

namespace Chat;

/// <summary>First line is the nickname (kept in the connection's Items); every later line goes to everyone.</summary>
public sealed class ChatHandler : ConnectionHandler<string, string>
{
    public override ValueTask OnConnectedAsync(Connection<string, string> c, CancellationToken ct) => c.SendAsync("Your nickname?", ct);

    public override async ValueTask OnMessageAsync(Connection<string, string> c, string line, CancellationToken ct)
    {
        if (c.Items.TryGetValue("nick", out var nick)) await c.Group!.BroadcastAsync($"{nick}: {line}", cancellationToken: ct);
        else { c.Items["nick"] = line; await c.Group!.BroadcastAsync($"* {line} joined", cancellationToken: ct); }
    }
}
