using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using SocketKit.Connections;
using SocketKit.Tcp;
using SocketKit.Udp;

namespace SocketKit.Hosting;

/// <summary>Binds SocketKit server options from configuration (appsettings.json, environment variables, the command line).</summary>
/// <remarks>
/// Every plain setting binds by its property name (<c>MaxConnections</c>, <c>DrainTimeout</c> as <c>"00:00:10"</c>,
/// <c>Connection:IdleTimeout</c>, <c>Socket:KeepAlive</c>, ...). Endpoints are strings such as <c>"0.0.0.0:5000"</c> or
/// <c>"[::]:5000"</c>; one that does not parse fails the host's start with a message naming its key. Callbacks
/// (<c>AcceptFilter</c>, <c>ConfigureSocket</c>) and TLS (its certificate) are set in code, with <c>Configure</c>.
/// A key that is no setting (a misspelling such as <c>Maxconnectons</c>) fails the host's start with a message naming it,
/// and options that fail validation while their section is missing say so (an <c>appsettings.json</c> not copied to
/// the output folder, most often).
/// </remarks>
public static class SocketKitOptionsBuilderExtensions
{
    // What configuration sets at the top of a server's section; the rest of its options are callbacks or certificates.
    private static readonly string[] TcpSettings =
    [
        nameof(TcpServerOptions.EndPoints), nameof(TcpServerOptions.DualMode), nameof(TcpServerOptions.Backlog),
        nameof(TcpServerOptions.MaxConnections), nameof(TcpServerOptions.MaxConnectionsPerAddress), nameof(TcpServerOptions.MaxAcceptsPerSecond),
        nameof(TcpServerOptions.DrainTimeout), nameof(TcpServerOptions.TickInterval), nameof(TcpServerOptions.Socket), nameof(TcpServerOptions.Connection),
    ];

    private static readonly string[] UdpSettings =
    [
        nameof(UdpServerOptions.Endpoint), nameof(UdpServerOptions.Session), nameof(UdpServerOptions.MaxSessions),
        nameof(UdpServerOptions.DrainTimeout), nameof(UdpServerOptions.TickInterval),
    ];

    private static readonly string[] SocketSettings = ConfigurationKeys.Settable(typeof(TcpSocketOptions));
    private static readonly string[] ConnectionSettings = ConfigurationKeys.Settable(typeof(ConnectionOptions));
    private static readonly string[] EndpointSettings = ConfigurationKeys.Settable(typeof(UdpEndpointOptions));

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
            ConfigurationKeys.Check(builder.Name, section, "a TCP server", TcpSettings, typeof(TcpServerOptions));
            ConfigurationKeys.Check(builder.Name, section.GetSection(nameof(options.Socket)), "a TCP server's socket", SocketSettings, typeof(TcpSocketOptions));
            ConfigurationKeys.Check(builder.Name, section.GetSection(nameof(options.Connection)), "a connection", ConnectionSettings, typeof(ConnectionOptions));

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
        }).Validate(options => IsPresent(section) || IsValid(options.Validate), MissingSection(builder.Name, section));
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
            ConfigurationKeys.Check(builder.Name, section, "a UDP server", UdpSettings, typeof(UdpServerOptions));
            ConfigurationKeys.Check(builder.Name, section.GetSection(nameof(options.Endpoint)), "a UDP server's endpoint", EndpointSettings, typeof(UdpEndpointOptions));
            ConfigurationKeys.Check(builder.Name, section.GetSection(nameof(options.Session)), "a UDP session", ConnectionSettings, typeof(ConnectionOptions));
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
        }).Validate(options => IsPresent(section) || IsValid(options.Validate), MissingSection(builder.Name, section));
    }

    // Options that fail validation while their section is absent most often mean the file holding it was not loaded.
    private static bool IsPresent(IConfiguration section) => section is not IConfigurationSection named || named.Exists();

    private static bool IsValid(Action validate)
    {
        try
        {
            validate();
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static string MissingSection(string name, IConfiguration section) =>
        $"SocketKit server '{name}': the configuration section '{(section as IConfigurationSection)?.Path}' is missing or empty. " +
        "Is appsettings.json copied to the output folder (a 'dotnet new worker' project copies it)?";

    private static IPEndPoint ParseEndPoint(string name, IConfigurationSection entry) =>
        IPEndPoint.TryParse(entry.Value ?? "", out var endPoint)
            ? endPoint
            : throw Invalid(name, entry, "an IP endpoint (e.g. 0.0.0.0:5000 or [::]:5000)");

    private static OptionsValidationException Invalid(string name, IConfigurationSection entry, string expected) =>
        new(name, typeof(object), [$"SocketKit server '{name}': {entry.Path} = '{entry.Value}' is not {expected}."]);
}
