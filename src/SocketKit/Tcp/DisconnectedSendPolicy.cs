namespace SocketKit.Tcp;

/// <summary>What a <see cref="ReconnectingClient{TIn, TOut}"/>'s <c>SendAsync</c> does while there is no connection. A message is never dropped silently.</summary>
public enum DisconnectedSendPolicy
{
    /// <summary>Wait for the next connection, up to <see cref="ReconnectOptions.SendWaitTimeout"/>, then throw <see cref="TimeoutException"/>.</summary>
    Wait,

    /// <summary>Throw <see cref="Connections.ConnectionClosedException"/> at once.</summary>
    FailFast,
}
