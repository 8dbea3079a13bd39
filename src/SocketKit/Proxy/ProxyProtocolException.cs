using SocketKit.Codecs;

namespace SocketKit.Proxy;

/// <summary>A PROXY protocol header was malformed, too long, too slow, or sent by an address that is not a trusted proxy. Only that connection is refused.</summary>
public sealed class ProxyProtocolException : ProtocolException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What was wrong with the header.</param>
    public ProxyProtocolException(string message)
        : base(message)
    {
    }
}
