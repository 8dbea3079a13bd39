namespace SocketKit.Connections;

/// <summary>Where a connection is in its life.</summary>
public enum ConnectionState
{
    /// <summary>Created; <c>OnConnectedAsync</c> has not completed yet.</summary>
    Connecting,

    /// <summary>Open: messages flow both ways.</summary>
    Open,

    /// <summary>A close reason was recorded; no new messages are dispatched, sends throw.</summary>
    Closing,

    /// <summary>The socket is closed and <c>OnDisconnectedAsync</c> has run.</summary>
    Closed,
}
