using SocketKit.Connections;

namespace Chat;

/// <summary>
/// One client's session: a handler per connection (SocketKit.Hosting resolves one per connection from DI), so its
/// nickname and room are plain fields. Lines starting with '/' are commands; any other line goes to the sender's room.
/// </summary>
public sealed class ChatSession(ChatHub hub) : ConnectionHandler<string, string>
{
    private Connection<string, string> _connection = null!;

    public long ConnectionId => _connection.Id;

    /// <summary>Null until the client picks one: until then it hears nothing from the rooms. Changed under the hub's lock.</summary>
    public string? Nick { get; set; }

    public string? Room { get; set; }

    public override ValueTask OnConnectedAsync(Connection<string, string> connection, CancellationToken closing)
    {
        _connection = connection;
        return connection.SendAsync("Welcome to SocketKit chat. Pick a nickname: /nick NAME", closing);
    }

    public override async ValueTask OnMessageAsync(Connection<string, string> connection, string line, CancellationToken closing)
    {
        var (command, argument) = Split(line);
        switch (command)
        {
            case "/nick":
                await NickAsync(argument, closing);
                break;
            case "/quit":
                await connection.SendAsync("BYE", closing);
                connection.Close();
                break;
            case not null when Nick is null:
                await connection.SendAsync("ERR pick a nickname first: /nick NAME", closing);
                break;
            case "/join":
                await JoinAsync(argument, closing);
                break;
            case "/msg":
                await PrivateAsync(argument, closing);
                break;
            case "/who":
                await connection.SendAsync($"USERS {Room}: {string.Join(", ", hub.Members(Room!))}", closing);
                break;
            case "/rooms":
                await connection.SendAsync($"ROOMS {string.Join(", ", hub.Rooms().Select(r => $"{r.Room} ({r.Members})"))}", closing);
                break;
            case not null:
                await connection.SendAsync($"ERR unknown command: {command}", closing);
                break;
            case null when Nick is null:
                await connection.SendAsync("ERR pick a nickname first: /nick NAME", closing);
                break;
            default:
                await ToRoomAsync(Room!, $"[{Room}] {Nick}: {line}", closing);
                break;
        }
    }

    public override async ValueTask OnDisconnectedAsync(Connection<string, string> connection, CloseInfo closeInfo, CancellationToken cancellationToken)
    {
        if (hub.Leave(this) is not var (nick, room) || cancellationToken.IsCancellationRequested)
        {
            return; // never had a nickname, or the server is stopping: no one to tell
        }

        var why = closeInfo.Reason switch
        {
            CloseReason.SlowConsumer => " (too slow: dropped)",
            CloseReason.ProtocolError => " (bad input: dropped)",
            CloseReason.IdleTimeout => " (idle)",
            _ => "",
        };
        await ToRoomAsync(room, $"* {nick} left {room}{why}", cancellationToken);
    }

    private async Task NickAsync(string? nick, CancellationToken closing)
    {
        if (nick is null || !ChatHub.IsValidName(nick))
        {
            await _connection.SendAsync("ERR a nickname is 1 to 20 letters, digits, '_' or '-'", closing);
        }
        else if (!hub.TryRename(this, nick, out var previous))
        {
            await _connection.SendAsync($"ERR nickname taken: {nick}", closing);
        }
        else if (previous is null)
        {
            await ToRoomAsync(Room!, $"* {nick} joined {Room}", closing);
        }
        else if (previous != nick)
        {
            await ToRoomAsync(Room!, $"* {previous} is now {nick}", closing);
        }
    }

    private async Task JoinAsync(string? room, CancellationToken closing)
    {
        if (room is null || !ChatHub.IsValidName(room))
        {
            await _connection.SendAsync("ERR a room name is 1 to 20 letters, digits, '_' or '-'", closing);
            return;
        }

        var left = hub.Join(this, room);
        if (left != room)
        {
            await ToRoomAsync(left, $"* {Nick} left {left}", closing);
            await ToRoomAsync(room, $"* {Nick} joined {room}", closing);
        }
    }

    private async Task PrivateAsync(string? argument, CancellationToken closing)
    {
        var (nick, text) = FirstWord(argument ?? "");
        if (nick is null || text is null)
        {
            await _connection.SendAsync("ERR usage: /msg NICK TEXT", closing);
        }
        else if (hub.Find(nick) is not { } target)
        {
            await _connection.SendAsync($"ERR no such nickname: {nick}", closing);
        }
        else
        {
            try
            {
                await target._connection.SendAsync($"[PM] {Nick}: {text}", closing);
                await _connection.SendAsync($"[PM to {target.Nick}] {text}", closing);
            }
            catch (ConnectionClosedException)
            {
                await _connection.SendAsync($"ERR {nick} just left", closing);
            }
        }
    }

    /// <summary>
    /// Sends a line to everyone in a room through the server's broadcast: encoded once, never waiting for a slow
    /// client (each connection's send buffer is bounded, and a client that lets it fill is dropped: see Program.cs).
    /// </summary>
    private async Task ToRoomAsync(string room, string line, CancellationToken cancellationToken) =>
        await _connection.Group!.BroadcastAsync(line, c => hub.IsIn(c, room), cancellationToken);

    /// <summary>"/cmd rest" → ("/cmd", "rest"); a plain line → (null, null).</summary>
    private static (string? Command, string? Argument) Split(string line) =>
        line.StartsWith('/') ? FirstWord(line) : (null, null);

    /// <summary>"first the rest" → ("first", "the rest"); no rest → null.</summary>
    private static (string? First, string? Remainder) FirstWord(string text)
    {
        var space = text.IndexOf(' ', StringComparison.Ordinal);
        var first = space < 0 ? text : text[..space];
        var rest = space < 0 ? "" : text[(space + 1)..].Trim();
        return (first.Length == 0 ? null : first, rest.Length == 0 ? null : rest);
    }
}
