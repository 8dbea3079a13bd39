namespace SocketKit.Connections;

/// <summary>
/// What a connection tells the server that owns it. A callback rather than an awaited task, so an idle connection
/// holds no state machine on the owner's side. Not generic: after an upgrade (<c>Connection.Upgrade</c>) the same
/// server owns a connection of other message types.
/// </summary>
internal interface IConnectionOwner
{
    /// <summary>The socket is closed; <c>OnDisconnectedAsync</c> has not run yet. The owner frees the connection's slot.</summary>
    void OnTransportClosed(IOwnedConnection connection);

    /// <summary>The connection dropped input that broke its protocol (a too-long frame, a datagram that did not decode) and carries on.</summary>
    void OnProtocolError();

    /// <summary>
    /// The connection handed its transport to <paramref name="next"/> (an upgrade): the owner now lists and stops the
    /// new phase in its place. The slot, the metrics and the connection's activity carry over; nothing is opened or closed.
    /// </summary>
    void OnUpgraded(IOwnedConnection previous, IOwnedConnection next);

    /// <summary>The connection is closed, <c>OnDisconnectedAsync</c> has returned and its handler is released. Called exactly once per transport.</summary>
    void OnFinished(IOwnedConnection connection);
}
