namespace SocketKit.Connections;

/// <summary>Which direction has been idle (Netty's IdleStateHandler semantics).</summary>
public enum IdleKind
{
    /// <summary>Nothing received for <see cref="ConnectionOptions.ReaderIdleTime"/>.</summary>
    Reader,

    /// <summary>Nothing sent for <see cref="ConnectionOptions.WriterIdleTime"/>.</summary>
    Writer,

    /// <summary>Nothing received or sent for <see cref="ConnectionOptions.AllIdleTime"/>.</summary>
    All,
}
