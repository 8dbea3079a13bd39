using SocketKit.Connections;

namespace Chat;

/// <summary>
/// The chat protocol, the same for every front end: lines starting with '/' are commands, any other line goes to the
/// sender's room. What a member sends and hears is text lines, whether they travel over TCP or a WebSocket.
/// </summary>
public sealed class ChatCommands(ChatHub hub)
{
    public const string Welcome = "Welcome to SocketKit chat. Pick a nickname: /nick NAME";

    public async Task HandleAsync(ChatMember me, string line, CancellationToken closing)
    {
        var (command, argument) = Split(line);
        switch (command)
        {
            case "/nick":
                await NickAsync(me, argument, closing);
                break;
            case "/quit":
                await me.SendAsync("BYE", closing);
                await me.DisconnectAsync(closing);
                break;
            case not null when me.Nick is null:
                await me.SendAsync("ERR pick a nickname first: /nick NAME", closing);
                break;
            case "/join":
                await JoinAsync(me, argument, closing);
                break;
            case "/msg":
                await PrivateAsync(me, argument, closing);
                break;
            case "/who":
                var (nicks, everyone) = await hub.MembersAsync(me.Room!, closing);
                await me.SendAsync($"USERS {me.Room}{Partial(everyone)}: {string.Join(", ", nicks)}", closing);
                break;
            case "/whois":
                await WhoIsAsync(me, argument, closing);
                break;
            case "/rooms":
                var (rooms, all) = await hub.RoomsAsync(closing);
                await me.SendAsync($"ROOMS{Partial(all)} {string.Join(", ", rooms.Select(r => $"{r.Room} ({r.Members})"))}", closing);
                break;
            case not null:
                await me.SendAsync($"ERR unknown command: {command}", closing);
                break;
            case null when me.Nick is null:
                await me.SendAsync("ERR pick a nickname first: /nick NAME", closing);
                break;
            default:
                await hub.BroadcastAsync(me.Room!, $"[{me.Room}] {me.Nick}: {line}", closing);
                break;
        }
    }

    /// <summary>The member's connection ended: forget it and tell its room why, unless the server is stopping.</summary>
    public async Task LeaveAsync(ChatMember me, CloseInfo closeInfo, CancellationToken cancellationToken)
    {
        if (await hub.LeaveAsync(me, cancellationToken) is not var (nick, room) || cancellationToken.IsCancellationRequested)
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
        await hub.BroadcastAsync(room, $"* {nick} left {room}{why}", cancellationToken);
    }

    private async Task NickAsync(ChatMember me, string? nick, CancellationToken closing)
    {
        if (nick is null || !ChatHub.IsValidName(nick))
        {
            await me.SendAsync("ERR a nickname is 1 to 20 letters, digits, '_' or '-'", closing);
        }
        else if (await hub.TryRenameAsync(me, nick, closing) is not (true, var previous))
        {
            await me.SendAsync($"ERR nickname taken: {nick}", closing);
        }
        else if (previous is null)
        {
            await hub.BroadcastAsync(me.Room!, $"* {nick} joined {me.Room}", closing);
        }
        else if (previous != nick)
        {
            await hub.BroadcastAsync(me.Room!, $"* {previous} is now {nick}", closing);
        }
    }

    private async Task JoinAsync(ChatMember me, string? room, CancellationToken closing)
    {
        if (room is null || !ChatHub.IsValidName(room))
        {
            await me.SendAsync("ERR a room name is 1 to 20 letters, digits, '_' or '-'", closing);
            return;
        }

        var left = await hub.JoinAsync(me, room, closing);
        if (left != room)
        {
            await hub.BroadcastAsync(left, $"* {me.Nick} left {left}", closing);
            await hub.BroadcastAsync(room, $"* {me.Nick} joined {room}", closing);
        }
    }

    private async Task PrivateAsync(ChatMember me, string? argument, CancellationToken closing)
    {
        var (nick, text) = FirstWord(argument ?? "");
        if (nick is null || text is null)
        {
            await me.SendAsync("ERR usage: /msg NICK TEXT", closing);
        }
        else if (hub.Find(nick) is { } target)
        {
            try
            {
                await target.SendAsync($"[PM] {me.Nick}: {text}", closing);
                await me.SendAsync($"[PM to {target.Nick}] {text}", closing);
            }
            catch (ConnectionClosedException)
            {
                await me.SendAsync($"ERR {nick} just left", closing);
            }
        }
        else if (hub.Backplane is not { } backplane)
        {
            await me.SendAsync($"ERR no such nickname: {nick}", closing);
        }
        else
        {
            // On another server: handed to it, delivered if the member is still there when it arrives.
            await me.SendAsync(await backplane.SendPrivateAsync(nick, $"[PM] {me.Nick}: {text}", closing) switch
            {
                true => $"[PM to {nick}] {text}",
                false => $"ERR no such nickname: {nick}",
                null => $"ERR no such nickname on this server, and the other servers are unreachable: {nick}",
            }, closing);
        }
    }

    private async Task WhoIsAsync(ChatMember me, string? nick, CancellationToken closing)
    {
        if (nick is null)
        {
            await me.SendAsync("ERR usage: /whois NICK", closing);
            return;
        }

        var (member, complete) = await hub.WhoIsAsync(nick, closing);
        await me.SendAsync(member switch
        {
            null => $"ERR no such nickname{Partial(complete)}: {nick}",
            { Server: "" } => $"WHOIS {member.Nick} in {member.Room} from {member.Address} on this server",
            _ => $"WHOIS {member.Nick} in {member.Room} from {member.Address} on {member.Server}",
        }, closing);
    }

    /// <summary>What /who, /rooms and /whois add when the other servers could not be asked.</summary>
    private static string Partial(bool complete) => complete ? "" : " (this server only: the others are unreachable)";

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
