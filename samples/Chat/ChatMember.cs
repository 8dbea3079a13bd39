namespace Chat;

/// <summary>
/// One person in the chat, whatever carries their lines: a TCP line connection (<see cref="ChatSession"/>) or a
/// browser's WebSocket (the HttpServer sample). The hub and the commands know only this.
/// </summary>
public abstract class ChatMember
{
    /// <summary>Unique per member (the connection's id).</summary>
    public abstract long Id { get; }

    /// <summary>Null until the member picks one: until then it hears nothing from the rooms. Changed under the hub's lock.</summary>
    public string? Nick { get; set; }

    public string? Room { get; set; }

    /// <summary>The client's address and port (the real client's behind a load balancer that sends the PROXY protocol).</summary>
    public abstract string Address { get; }

    /// <summary>
    /// Puts a line in this member's own bounded send buffer. It never waits for a slow reader: a member whose buffer is
    /// full is dropped instead (the connection's <c>FullSendBufferPolicy.Disconnect</c>), so one stuck client cannot
    /// stall a room. Throws <c>ConnectionClosedException</c> if the member is gone.
    /// </summary>
    public abstract ValueTask SendAsync(string line, CancellationToken cancellationToken);

    /// <summary>Ends the member's connection after what was sent to it (<c>/quit</c>).</summary>
    public abstract ValueTask DisconnectAsync(CancellationToken cancellationToken);
}
