using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using SocketKit.Tcp;
using SocketKit.Udp;

namespace SocketKit.Hosting;

/// <summary>Binds SocketKit server options from configuration (appsettings.json, environment variables, the command line).</summary>
/// <remarks>
/// Every plain setting binds by its property name (<c>MaxConnections</c>, <c>DrainTimeout</c> as <c>"00:00:10"</c>,
/// <c>Connection:IdleTimeout</c>, <c>Socket:KeepAlive</c>, ...). Endpoints are strings such as <c>"0.0.0.0:5000"</c> or
/// <c>"[::]:5000"</c>; one that does not parse fails the host's start with a message naming its key. Callbacks
/// (<c>AcceptFilter</c>, <c>ConfigureSocket</c>) and TLS (its certificate) are set in code, with <c>Configure</c>.
/// </remarks>
public static class SocketKitOptionsBuilderExtensions
{
    /// <summary>
    /// Binds a TCP server's options from <paramref name="section"/>: its settings, and <c>EndPoints</c> as a list of
    /// strings (<c>"EndPoints": ["0.0.0.0:5000", "[::]:5000"]</c>).
    /// </summary>
    /// <param name="builder">The server's options builder, from <c>AddSocketKitTcpServer</c>.</param>
    /// <param name="section">The configuration section, e.g. <c>configuration.GetSection("SocketKit:Chat")</c>.</param>
    /// <returns>The builder.</returns>
    public static OptionsBuilder<TcpServerOptions> BindSocketKit(this OptionsBuilder<TcpServerOptions> builder, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(section);
        return builder.Configure(options =>
        {
            // Property by property rather than section.Bind(options): binding the whole graph would walk into the TLS
            // certificate, which configuration cannot describe.
            options.DualMode = section.GetValue(nameof(options.DualMode), options.DualMode);
            options.Backlog = section.GetValue(nameof(options.Backlog), options.Backlog);
            options.MaxConnections = section.GetValue(nameof(options.MaxConnections), options.MaxConnections);
            options.MaxConnectionsPerAddress = section.GetValue(nameof(options.MaxConnectionsPerAddress), options.MaxConnectionsPerAddress);
            options.MaxAcceptsPerSecond = section.GetValue(nameof(options.MaxAcceptsPerSecond), options.MaxAcceptsPerSecond);
            options.DrainTimeout = section.GetValue(nameof(options.DrainTimeout), options.DrainTimeout);
            options.TickInterval = section.GetValue(nameof(options.TickInterval), options.TickInterval);
            section.GetSection(nameof(options.Socket)).Bind(options.Socket);
            section.GetSection(nameof(options.Connection)).Bind(options.Connection);
            foreach (var entry in section.GetSection(nameof(TcpServerOptions.EndPoints)).GetChildren())
            {
                options.EndPoints.Add(ParseEndPoint(builder.Name, entry));
            }
        });
    }

    /// <summary>
    /// Binds a UDP server's options from <paramref name="section"/>: its settings, and <c>Endpoint:LocalEndPoint</c>
    /// (and <c>Endpoint:RemoteEndPoint</c>, <c>Endpoint:MulticastInterface</c>) as strings.
    /// </summary>
    /// <param name="builder">The server's options builder, from <c>AddSocketKitUdpServer</c>.</param>
    /// <param name="section">The configuration section.</param>
    /// <returns>The builder.</returns>
    public static OptionsBuilder<UdpServerOptions> BindSocketKit(this OptionsBuilder<UdpServerOptions> builder, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(section);
        return builder.Configure(options =>
        {
            options.MaxSessions = section.GetValue(nameof(options.MaxSessions), options.MaxSessions);
            options.DrainTimeout = section.GetValue(nameof(options.DrainTimeout), options.DrainTimeout);
            options.TickInterval = section.GetValue(nameof(options.TickInterval), options.TickInterval);
            section.GetSection(nameof(options.Session)).Bind(options.Session);
            section.GetSection(nameof(options.Endpoint)).Bind(options.Endpoint);
            var endpoint = section.GetSection(nameof(UdpServerOptions.Endpoint));
            if (endpoint.GetSection(nameof(UdpEndpointOptions.LocalEndPoint)) is { Value: not null } local)
            {
                options.Endpoint.LocalEndPoint = ParseEndPoint(builder.Name, local);
            }

            if (endpoint.GetSection(nameof(UdpEndpointOptions.RemoteEndPoint)) is { Value: not null } remote)
            {
                options.Endpoint.RemoteEndPoint = ParseEndPoint(builder.Name, remote);
            }

            if (endpoint.GetSection(nameof(UdpEndpointOptions.MulticastInterface)) is { Value: not null } multicast)
            {
                options.Endpoint.MulticastInterface = IPAddress.TryParse(multicast.Value, out var address)
                    ? address
                    : throw Invalid(builder.Name, multicast, "an IP address (e.g. 127.0.0.1)");
            }
        });
    }

    private static IPEndPoint ParseEndPoint(string name, IConfigurationSection entry) =>
        IPEndPoint.TryParse(entry.Value ?? "", out var endPoint)
            ? endPoint
            : throw Invalid(name, entry, "an IP endpoint (e.g. 0.0.0.0:5000 or [::]:5000)");

    private static OptionsValidationException Invalid(string name, IConfigurationSection entry, string expected) =>
        new(name, typeof(object), [$"SocketKit server '{name}': {entry.Path} = '{entry.Value}' is not {expected}."]);
}
