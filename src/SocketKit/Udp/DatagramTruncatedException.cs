using SocketKit.Codecs;

namespace SocketKit.Udp;

/// <summary>A datagram larger than the endpoint's maximum arrived; it was dropped rather than delivered cut short.</summary>
public sealed class DatagramTruncatedException : ProtocolException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="maxDatagramSize">The endpoint's limit in bytes.</param>
    public DatagramTruncatedException(int maxDatagramSize)
        : base(FormattableString.Invariant($"A datagram larger than the {maxDatagramSize}-byte maximum arrived and was dropped."))
    {
        MaxDatagramSize = maxDatagramSize;
    }

    /// <summary>The endpoint's limit in bytes.</summary>
    public int MaxDatagramSize { get; }
}
