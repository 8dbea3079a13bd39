namespace SocketKit.Connections;

/// <summary>The send buffer is above its high watermark and the policy is <see cref="FullSendBufferPolicy.FailFast"/>. Nothing was sent.</summary>
public sealed class SendBufferFullException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="bufferedBytes">The bytes waiting to be sent.</param>
    public SendBufferFullException(long bufferedBytes)
        : base(FormattableString.Invariant($"The send buffer holds {bufferedBytes} bytes, above its high watermark; the message was not sent."))
    {
        BufferedBytes = bufferedBytes;
    }

    /// <summary>The bytes waiting to be sent when the send was refused.</summary>
    public long BufferedBytes { get; }
}
