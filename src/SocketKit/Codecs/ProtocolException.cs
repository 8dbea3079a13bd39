namespace SocketKit.Codecs;

/// <summary>
/// The peer sent bytes that break the protocol. The base of <see cref="FrameTooLongException"/>
/// and <see cref="MalformedFrameException"/>; thrown from a codec it closes only the connection
/// that sent the bytes, with close reason <c>ProtocolError</c>.
/// </summary>
public class ProtocolException : Exception
{
    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What was wrong with the input.</param>
    public ProtocolException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the error that caused it.</summary>
    /// <param name="message">What was wrong with the input.</param>
    /// <param name="innerException">The error that revealed it, e.g. a <c>JsonException</c>.</param>
    public ProtocolException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
