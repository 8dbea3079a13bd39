using System.Text.RegularExpressions;
using SocketKit.Connections;

namespace Chat;

/// <summary>
/// Who is here and in which room: every member's nickname and room, shared by all connections (a singleton). One lock
/// guards it all: the state is tiny, and a chat line is rare next to what a lock costs.
/// </summary>
public sealed partial class ChatHub
{
    public const string DefaultRoom = "lobby";
    private readonly Lock _lock = new();
    private readonly Dictionary<string, ChatMember> _byNick = new(StringComparer.OrdinalIgnoreCase);


    /// <summary>Nicknames and rooms: 1 to 20 letters, digits, '_' or '-'.</summary>
    public static bool IsValidName(string name) => NamePattern().IsMatch(name);

    /// <summary>Gives <paramref name="member"/> the nickname, if no one else has it. Returns the previous one.</summary>
    public bool TryRename(ChatMember member, string nick, out string? previous)
    {
        lock (_lock)
        {
            previous = member.Nick;
            if (_byNick.TryGetValue(nick, out var holder) && holder != member)
            {
                return false;
            }

            if (previous is not null)
            {
                _byNick.Remove(previous);
            }

            _byNick[nick] = member;
            member.Nick = nick;
            member.Room ??= DefaultRoom;
            return true;
        }
    }

    /// <summary>Moves a named member to another room; returns the one it left.</summary>
    public string Join(ChatMember member, string room)
    {
        lock (_lock)
        {
            var left = member.Room!;
            member.Room = room;
            return left;
        }
    }

    /// <summary>Forgets a member that ended; returns the nickname and room it had, if it had chosen one.</summary>
    public (string Nick, string Room)? Leave(ChatMember member)
    {
        lock (_lock)
        {
            if (member.Nick is not { } nick || !_byNick.Remove(nick))
            {
                return null;
            }

            return (nick, member.Room!);
        }
    }

    public ChatMember? Find(string nick)
    {
        lock (_lock)
        {
            return _byNick.GetValueOrDefault(nick);
        }
    }

    /// <summary>
    /// Sends a line to everyone in <paramref name="room"/>, together: each send only queues the line in that member's
    /// own bounded buffer (or drops a member whose buffer is full), so a slow one never holds up the rest.
    /// </summary>
    public async Task BroadcastAsync(string room, string line, CancellationToken cancellationToken)
    {
        ChatMember[] members;
        lock (_lock)
        {
            members = _byNick.Values.Where(m => m.Room == room).ToArray();
        }

        var sends = members.Select(member => SendQuietlyAsync(member, line, cancellationToken)).ToArray();
        await Task.WhenAll(sends);
    }

    private static async Task SendQuietlyAsync(ChatMember member, string line, CancellationToken cancellationToken)
    {
        try
        {
            await member.SendAsync(line, cancellationToken);
        }
        catch (Exception e) when (e is ConnectionClosedException or OperationCanceledException)
        {
            // Gone, or dropped as too slow: its own disconnect tells the room.
        }
    }

    public IReadOnlyList<string> Members(string room)
    {
        lock (_lock)
        {
            return _byNick.Values.Where(s => s.Room == room).Select(s => s.Nick!).Order(StringComparer.OrdinalIgnoreCase).ToArray();
        }
    }

    public IReadOnlyList<(string Room, int Members)> Rooms()
    {
        lock (_lock)
        {
            return _byNick.Values.GroupBy(s => s.Room!).Select(g => (g.Key, g.Count())).OrderBy(r => r.Key, StringComparer.Ordinal).ToArray();
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,20}$")]
    private static partial Regex NamePattern();
}
