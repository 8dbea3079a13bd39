using System.Net;

namespace SocketKit.Proxy;

/// <summary>
/// Accept the PROXY protocol (HAProxy's v1 and v2) from the load balancers in <see cref="TrustedProxies"/>: each
/// connection starts with a header naming the real client, read before the TLS handshake and the codec. The
/// connection's five-tuple becomes the client's; the proxy's own is kept in <c>Connection.ProxyTuple</c>.
/// </summary>
public sealed class ProxyProtocolOptions
{
    /// <summary>
    /// The networks proxies connect from. A connection from any other address is refused (reset) before a byte is read:
    /// only a trusted proxy may say who the client is. At least one is required.
    /// </summary>
    public IList<IPNetwork> TrustedProxies { get; } = new List<IPNetwork>();

    /// <summary>How long the header may take to arrive once the proxy has connected. Defaults to 5 seconds.</summary>
    public TimeSpan HeaderTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest header accepted, in bytes. Defaults to <see cref="ProxyHeader.DefaultMaxLength"/> (4 KiB); at least 232 (a v2 header with Unix addresses).</summary>
    public int MaxHeaderLength { get; set; } = ProxyHeader.DefaultMaxLength;

    /// <summary>Whether <paramref name="address"/> is in <see cref="TrustedProxies"/> (an IPv4-mapped IPv6 address counts as IPv4).</summary>
    /// <param name="address">The address a connection comes from.</param>
    /// <returns><see langword="true"/> if a proxy at that address is trusted.</returns>
    public bool IsTrusted(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        foreach (var network in TrustedProxies)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Checks the options, throwing an exception that names the first bad one.</summary>
    /// <exception cref="ArgumentException">An option is missing or out of range.</exception>
    public void Validate()
    {
        if (TrustedProxies.Count == 0)
        {
            throw new ArgumentException($"{nameof(TrustedProxies)} must name at least one network: a PROXY header is believed only from a trusted proxy.", nameof(TrustedProxies));
        }

        if (HeaderTimeout <= TimeSpan.Zero && HeaderTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentException($"{nameof(HeaderTimeout)} must be positive.", nameof(HeaderTimeout));
        }

        if (MaxHeaderLength < 232)
        {
            throw new ArgumentException($"{nameof(MaxHeaderLength)} must be at least 232 bytes.", nameof(MaxHeaderLength));
        }
    }
}
