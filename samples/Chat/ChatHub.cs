using System.Text.RegularExpressions;
using SocketKit.Connections;

namespace Chat;

/// <summary>
/// Who is here and in which room: this server's members' nicknames and rooms, shared by all its connections (a
/// singleton), and, with a <see cref="Backplane"/>, the other servers' too. One lock guards the local state: it is tiny,
/// and a chat line is rare next to what a lock costs. Nothing remote is awaited under it.
/// </summary>
public sealed partial class ChatHub
{
    public const string DefaultRoom = "lobby";
    private readonly Lock _lock = new();
    private readonly Dictionary<string, ChatMember> _byNick = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The other chat servers, or null when this one is alone. Set by the backplane when it starts.</summary>
    public IChatBackplane? Backplane { get; set; }

    /// <summary>Nicknames and rooms: 1 to 20 letters, digits, '_' or '-'.</summary>
    public static bool IsValidName(string name) => NamePattern().IsMatch(name);

    /// <summary>
    /// Gives <paramref name="member"/> the nickname if no one else has it, here or (through the backplane) on another
    /// server. Returns whether it did and the previous nickname.
    /// </summary>
    public async Task<(bool Renamed, string? Previous)> TryRenameAsync(ChatMember member, string nick, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_byNick.TryGetValue(nick, out var holder) && holder != member)
            {
                return (false, member.Nick);
            }

            _byNick[nick] = member; // held here while the other servers are asked, so no local member can race for it
        }

        var previous = member.Nick;
        var sameName = string.Equals(previous, nick, StringComparison.OrdinalIgnoreCase);
        if (!sameName && Backplane is { } backplane)
        {
            NickClaim claim;
            try
            {
                claim = await backplane.ClaimAsync(new ChatPresence(nick, member.Room ?? DefaultRoom, member.Address, ""), cancellationToken);
            }
            catch
            {
                Unreserve(nick);
                throw;
            }

            if (claim == NickClaim.Taken)
            {
                Unreserve(nick);
                return (false, previous);
            }
        }

        lock (_lock)
        {
            if (previous is not null && !sameName)
            {
                _byNick.Remove(previous);
            }

            _byNick[nick] = member;
            member.Nick = nick;
            member.Room ??= DefaultRoom;
        }

        if (previous is not null && !sameName && Backplane is { } other)
        {
            await other.ReleaseAsync(previous, cancellationToken);
        }

        return (true, previous);
    }

    private void Unreserve(string nick)
    {
        lock (_lock)
        {
            _byNick.Remove(nick);
        }
    }

    /// <summary>Moves a named member to another room; returns the one it left.</summary>
    public async Task<string> JoinAsync(ChatMember member, string room, CancellationToken cancellationToken)
    {
        string left;
        lock (_lock)
        {
            left = member.Room!;
            member.Room = room;
        }

        if (left != room && Backplane is { } backplane)
        {
            await backplane.MovedAsync(Presence(member), cancellationToken);
        }

        return left;
    }

    /// <summary>Forgets a member that ended; returns the nickname and room it had, if it had chosen one.</summary>
    public async Task<(string Nick, string Room)?> LeaveAsync(ChatMember member, CancellationToken cancellationToken)
    {
        if (Forget(member) is not var (nick, room))
        {
            return null;
        }

        if (Backplane is { } backplane)
        {
            await backplane.ReleaseAsync(nick, cancellationToken);
        }

        return (nick, room);
    }

    /// <summary>Drops a member's nickname here only (it left, or lost its nickname to another server): it hears nothing until it picks one.</summary>
    public (string Nick, string Room)? Forget(ChatMember member)
    {
        lock (_lock)
        {
            if (member.Nick is not { } nick || !_byNick.Remove(nick))
            {
                return null;
            }

            member.Nick = null;
            return (nick, member.Room!);
        }
    }

    /// <summary>This server's member with the nickname, if any.</summary>
    public ChatMember? Find(string nick)
    {
        lock (_lock)
        {
            return _byNick.TryGetValue(nick, out var member) && IsNamed(nick, member) ? member : null;
        }
    }

    /// <summary>Sends a line to everyone in <paramref name="room"/>, here and on the other servers.</summary>
    public async Task BroadcastAsync(string room, string line, CancellationToken cancellationToken)
    {
        await DeliverAsync(room, line, cancellationToken);
        if (Backplane is { } backplane)
        {
            await backplane.PublishAsync(room, line, cancellationToken);
        }
    }

    /// <summary>
    /// Sends a line to this server's members in <paramref name="room"/>, together: each send only queues the line in that
    /// member's own bounded buffer (or drops a member whose buffer is full), so a slow one never holds up the rest.
    /// </summary>
    public Task DeliverAsync(string room, string line, CancellationToken cancellationToken) =>
        SendAllAsync(Snapshot(m => m.Room == room), line, cancellationToken);

    /// <summary>Tells every named member of this server something about the service itself (the other servers came and went).</summary>
    public Task AnnounceAsync(string line, CancellationToken cancellationToken) => SendAllAsync(Snapshot(_ => true), line, cancellationToken);

    /// <summary>This server's members, for the backplane's presence (their server is "": this one).</summary>
    public IReadOnlyList<ChatPresence> LocalMembers()
    {
        lock (_lock)
        {
            return Named().Select(Presence).ToArray();
        }
    }

    private static ChatPresence Presence(ChatMember member) => new(member.Nick!, member.Room!, member.Address, "");

    /// <summary>Everyone in <paramref name="room"/>, sorted; Complete is false when the other servers could not be asked.</summary>
    public async Task<(IReadOnlyList<string> Nicks, bool Complete)> MembersAsync(string room, CancellationToken cancellationToken)
    {
        var (everyone, complete) = await EveryoneAsync(cancellationToken);
        return (everyone.Where(m => m.Room == room).Select(m => m.Nick).Order(StringComparer.OrdinalIgnoreCase).ToArray(), complete);
    }

    /// <summary>Where the member with <paramref name="nick"/> is, here or on another server; Complete as above.</summary>
    public async Task<(ChatPresence? Member, bool Complete)> WhoIsAsync(string nick, CancellationToken cancellationToken)
    {
        if (Find(nick) is { } local)
        {
            return (Presence(local), true);
        }

        var (everyone, complete) = await EveryoneAsync(cancellationToken);
        return (everyone.FirstOrDefault(m => string.Equals(m.Nick, nick, StringComparison.OrdinalIgnoreCase)), complete);
    }

    /// <summary>Every room with people in it, with how many; Complete is false when the other servers could not be asked.</summary>
    public async Task<(IReadOnlyList<(string Room, int Members)> Rooms, bool Complete)> RoomsAsync(CancellationToken cancellationToken)
    {
        var (everyone, complete) = await EveryoneAsync(cancellationToken);
        return (everyone.GroupBy(m => m.Room).Select(g => (g.Key, g.Count())).OrderBy(r => r.Item1, StringComparer.Ordinal).ToArray(), complete);
    }

    private async Task<(IEnumerable<ChatPresence> Everyone, bool Complete)> EveryoneAsync(CancellationToken cancellationToken)
    {
        var local = LocalMembers();
        if (Backplane is not { } backplane)
        {
            return (local, true);
        }

        var remote = await backplane.RemoteMembersAsync(cancellationToken);
        return (remote is null ? local : local.Concat(remote).DistinctBy(m => m.Nick, StringComparer.OrdinalIgnoreCase), remote is not null);
    }

    private ChatMember[] Snapshot(Func<ChatMember, bool> which)
    {
        lock (_lock)
        {
            return Named().Where(which).ToArray();
        }
    }

    /// <summary>Members under their own nickname (a nickname being claimed from the other servers is held, not yet theirs). Under the lock.</summary>
    private IEnumerable<ChatMember> Named() => _byNick.Where(entry => IsNamed(entry.Key, entry.Value)).Select(entry => entry.Value);

    private static bool IsNamed(string key, ChatMember member) => string.Equals(key, member.Nick, StringComparison.OrdinalIgnoreCase);

    private static async Task SendAllAsync(ChatMember[] members, string line, CancellationToken cancellationToken)
    {
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

    [GeneratedRegex("^[A-Za-z0-9_-]{1,20}$")]
    private static partial Regex NamePattern();
}
