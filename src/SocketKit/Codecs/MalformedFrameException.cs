namespace SocketKit.Codecs;

/// <summary>Bytes that cannot be a valid frame or message: a bad length field, invalid UTF-8, bad JSON, a truncated frame.</summary>
public sealed class MalformedFrameException : ProtocolException
{
    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What was wrong.</param>
    public MalformedFrameException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the error that revealed it.</summary>
    /// <param name="message">What was wrong.</param>
    /// <param name="innerException">The underlying error.</param>
    public MalformedFrameException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
