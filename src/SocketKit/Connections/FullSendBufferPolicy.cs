namespace SocketKit.Connections;

/// <summary>What <c>SendAsync</c> does when the connection's send buffer is above its high watermark.</summary>
public enum FullSendBufferPolicy
{
    /// <summary>Wait until the buffer drains below the low watermark (bounded by the write timeout). The default.</summary>
    Wait,

    /// <summary>Throw <see cref="SendBufferFullException"/> at once; the connection stays open.</summary>
    FailFast,

    /// <summary>Close the connection as a slow consumer (<see cref="CloseReason.SlowConsumer"/>) and throw <see cref="ConnectionClosedException"/>.</summary>
    Disconnect,
}
