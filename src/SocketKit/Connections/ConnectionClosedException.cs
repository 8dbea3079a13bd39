namespace SocketKit.Connections;

/// <summary>A send was attempted after the connection started closing.</summary>
public sealed class ConnectionClosedException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="closeInfo">How the connection closed.</param>
    public ConnectionClosedException(CloseInfo closeInfo)
        : base("The connection is closed: " + closeInfo?.ToString(), closeInfo?.Exception)
    {
        ArgumentNullException.ThrowIfNull(closeInfo);
        CloseInfo = closeInfo;
    }

    /// <summary>How the connection closed.</summary>
    public CloseInfo CloseInfo { get; }
}
