using SocketKit.Internal;

namespace SocketKit.Connections;

/// <summary>What a server needs of a connection whatever its message types: identity, traffic, and how to end it.</summary>
internal interface IOwnedConnection
{
    /// <summary>The connection's id, kept across an upgrade.</summary>
    long Id { get; }

    /// <summary>The connection's five-tuple.</summary>
    FiveTuple Tuple { get; }

    /// <summary>When the transport was accepted, on the connection's clock (kept across an upgrade).</summary>
    long CreatedAt { get; }

    /// <summary>What the connection received and sent so far (carried across an upgrade).</summary>
    TrafficCounts Traffic { get; }

    /// <summary>Why the connection closed, once recorded.</summary>
    CloseInfo? CloseInfo { get; }

    /// <summary>Records the first close reason; false if one was recorded before.</summary>
    bool TryClose(CloseReason reason, Exception? error);

    /// <summary>Resets the connection now.</summary>
    void Abort(Exception? error = null);
}
