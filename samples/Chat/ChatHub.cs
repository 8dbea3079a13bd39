using System.Text.RegularExpressions;
using SocketKit.Connections;

namespace Chat;

/// <summary>
/// Who is here and in which room: every session's nickname and room, shared by all connections (a singleton). One lock
/// guards it all: the state is tiny, and a chat line is rare next to what a lock costs.
/// </summary>
public sealed partial class ChatHub
{
    public const string DefaultRoom = "lobby";
    private readonly Lock _lock = new();
    private readonly Dictionary<string, ChatSession> _byNick = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<long, ChatSession> _byConnection = new();

    /// <summary>Nicknames and rooms: 1 to 20 letters, digits, '_' or '-'.</summary>
    public static bool IsValidName(string name) => NamePattern().IsMatch(name);

    /// <summary>Gives <paramref name="session"/> the nickname, if no one else has it. Returns the previous one.</summary>
    public bool TryRename(ChatSession session, string nick, out string? previous)
    {
        lock (_lock)
        {
            previous = session.Nick;
            if (_byNick.TryGetValue(nick, out var holder) && holder != session)
            {
                return false;
            }

            if (previous is not null)
            {
                _byNick.Remove(previous);
            }

            _byNick[nick] = session;
            _byConnection[session.ConnectionId] = session;
            session.Nick = nick;
            session.Room ??= DefaultRoom;
            return true;
        }
    }

    /// <summary>Moves a named session to another room; returns the one it left.</summary>
    public string Join(ChatSession session, string room)
    {
        lock (_lock)
        {
            var left = session.Room!;
            session.Room = room;
            return left;
        }
    }

    /// <summary>Forgets a session that ended; returns the nickname and room it had, if it had chosen one.</summary>
    public (string Nick, string Room)? Leave(ChatSession session)
    {
        lock (_lock)
        {
            _byConnection.Remove(session.ConnectionId);
            if (session.Nick is not { } nick || !_byNick.Remove(nick))
            {
                return null;
            }

            return (nick, session.Room!);
        }
    }

    public ChatSession? Find(string nick)
    {
        lock (_lock)
        {
            return _byNick.GetValueOrDefault(nick);
        }
    }

    /// <summary>Whether the connection belongs to someone (with a nickname) in <paramref name="room"/>: a broadcast filter.</summary>
    public bool IsIn(Connection<string, string> connection, string room)
    {
        lock (_lock)
        {
            return _byConnection.TryGetValue(connection.Id, out var session) && session.Room == room;
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
