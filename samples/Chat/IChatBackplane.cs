namespace Chat;

/// <summary>
/// What a <see cref="ChatHub"/> needs from the other chat servers, so that clients connected to different processes
/// share rooms, nicknames, <c>/who</c> and <c>/msg</c> (<see cref="RedisChatBackplane"/>). Every method answers for the
/// other servers only: the hub serves its own clients itself, so it keeps serving them when the others are unreachable.
/// </summary>
public interface IChatBackplane
{
    /// <summary>Claims a nickname for one of this server's members (and records its room and address).</summary>
    Task<NickClaim> ClaimAsync(ChatPresence member, CancellationToken cancellationToken);

    /// <summary>Gives up a nickname this server held (the member left or took another).</summary>
    Task ReleaseAsync(string nick, CancellationToken cancellationToken);

    /// <summary>Records that a member of this server moved to another room (for the others' <c>/who</c> and <c>/rooms</c>).</summary>
    Task MovedAsync(ChatPresence member, CancellationToken cancellationToken);

    /// <summary>Sends a room's line to the other servers' members in that room.</summary>
    Task PublishAsync(string room, string line, CancellationToken cancellationToken);

    /// <summary>Sends a line to the member with <paramref name="nick"/> on another server: false if no server has it, null if the others are unreachable.</summary>
    Task<bool?> SendPrivateAsync(string nick, string line, CancellationToken cancellationToken);

    /// <summary>The other servers' members; null if the others are unreachable.</summary>
    Task<IReadOnlyList<ChatPresence>?> RemoteMembersAsync(CancellationToken cancellationToken);
}

/// <summary>Where a member is: its nickname, room, the address it connected from (the client's, behind a PROXY-protocol balancer) and its server.</summary>
public sealed record ChatPresence(string Nick, string Room, string Address, string Server);

/// <summary>The answer to a nickname claim across servers.</summary>
public enum NickClaim
{
    /// <summary>No other server has it; it is this server's now.</summary>
    Claimed,

    /// <summary>A member of another server has it.</summary>
    Taken,

    /// <summary>The other servers cannot be asked now; the claim is checked again when they can (see the docs).</summary>
    Unreachable,
}
