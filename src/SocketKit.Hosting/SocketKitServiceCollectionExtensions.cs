using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SocketKit.Codecs;
using SocketKit.Connections;
using SocketKit.Tcp;
using SocketKit.Udp;

namespace SocketKit.Hosting;

/// <summary>Adds SocketKit servers to a Generic Host's services.</summary>
public static class SocketKitServiceCollectionExtensions
{
    /// <summary>
    /// Adds a TCP server named <paramref name="name"/> that the host starts and stops. Each connection gets its own
    /// <typeparamref name="THandler"/>, resolved from a dependency-injection scope that lives as long as the connection
    /// (registered as scoped unless already registered). The server's options are the named options
    /// <paramref name="name"/>: configure them on the returned builder (<see cref="SocketKitOptionsBuilderExtensions.BindSocketKit(OptionsBuilder{TcpServerOptions}, Microsoft.Extensions.Configuration.IConfiguration)"/>,
    /// <c>Configure</c>); they are validated when the host starts. The running server is a keyed singleton:
    /// inject <c>[FromKeyedServices(name)] TcpServer&lt;TIn, TOut&gt;</c> to broadcast or list connections.
    /// </summary>
    /// <typeparam name="TIn">The type of received messages.</typeparam>
    /// <typeparam name="TOut">The type of sent messages.</typeparam>
    /// <typeparam name="THandler">The connection handler.</typeparam>
    /// <param name="services">The host's services.</param>
    /// <param name="name">The server's name: its options' name and its service key. Unique per host.</param>
    /// <param name="codec">How bytes become messages and back.</param>
    /// <returns>The builder of the server's options.</returns>
    /// <exception cref="InvalidOperationException">A SocketKit TCP server with this name and these message types is already added.</exception>
    public static OptionsBuilder<TcpServerOptions> AddSocketKitTcpServer<TIn, TOut, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] THandler>(
        this IServiceCollection services, string name, Codec<TIn, TOut> codec)
        where THandler : ConnectionHandler<TIn, TOut>
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(codec);
        services.TryAddScoped<THandler>();
        return AddServer<TcpServer<TIn, TOut>, TcpServerOptions>(services, name,
            (provider, options) => new TcpServer<TIn, TOut>(options, codec, Handlers<TIn, TOut, THandler>(provider),
                provider.GetService<ILoggerFactory>(), provider.GetService<TimeProvider>()),
            server => new ServerHostedService(server.StartAsync, server.StopAsync));
    }

    /// <summary>
    /// Adds a UDP server named <paramref name="name"/> that the host starts and stops. Each session (remote peer) gets
    /// its own <typeparamref name="THandler"/>, resolved from a dependency-injection scope that lives as long as the
    /// session. Options, validation and the keyed <c>UdpServer&lt;TIn, TOut&gt;</c> work as for
    /// <see cref="AddSocketKitTcpServer{TIn, TOut, THandler}"/>.
    /// </summary>
    /// <typeparam name="TIn">The type of received messages.</typeparam>
    /// <typeparam name="TOut">The type of sent messages.</typeparam>
    /// <typeparam name="THandler">The session handler.</typeparam>
    /// <param name="services">The host's services.</param>
    /// <param name="name">The server's name: its options' name and its service key. Unique per host.</param>
    /// <param name="decoder">Turns a datagram into a message.</param>
    /// <param name="encoder">Turns a message into a datagram.</param>
    /// <returns>The builder of the server's options.</returns>
    /// <exception cref="InvalidOperationException">A SocketKit UDP server with this name and these message types is already added.</exception>
    public static OptionsBuilder<UdpServerOptions> AddSocketKitUdpServer<TIn, TOut, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] THandler>(
        this IServiceCollection services, string name, IMessageDecoder<TIn> decoder, IMessageEncoder<TOut> encoder)
        where THandler : ConnectionHandler<TIn, TOut>
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(decoder);
        ArgumentNullException.ThrowIfNull(encoder);
        services.TryAddScoped<THandler>();
        return AddServer<UdpServer<TIn, TOut>, UdpServerOptions>(services, name,
            (provider, options) => new UdpServer<TIn, TOut>(options, decoder, encoder, Handlers<TIn, TOut, THandler>(provider),
                provider.GetService<ILoggerFactory>(), provider.GetService<TimeProvider>()),
            server => new ServerHostedService(server.StartAsync, server.StopAsync));
    }

    /// <summary>
    /// Registers one named server: a keyed singleton built from its named options, a hosted service that starts and
    /// stops it, and the validation of its options when the host starts.
    /// </summary>
    private static OptionsBuilder<TOptions> AddServer<TServer, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] TOptions>(
        IServiceCollection services, string name, Func<IServiceProvider, TOptions, TServer> create, Func<TServer, IHostedService> host)
        where TServer : class
        where TOptions : class
    {
        if (services.Any(d => d.ServiceType == typeof(TServer) && Equals(d.ServiceKey, name)))
        {
            throw new InvalidOperationException($"A SocketKit server named '{name}' ({typeof(TServer).Name}) was already added; give each server its own name.");
        }

        services.AddKeyedSingleton(name, (provider, _) => create(provider, provider.GetRequiredService<IOptionsMonitor<TOptions>>().Get(name)));
        services.AddSingleton(provider => host(provider.GetRequiredKeyedService<TServer>(name)));
        services.AddSingleton((IValidateOptions<TOptions>)(object)new ServerOptionsValidator(name));
        return services.AddOptions<TOptions>(name).ValidateOnStart();
    }

    private static ScopedHandlerFactory<TIn, TOut, THandler> Handlers<TIn, TOut, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] THandler>(IServiceProvider provider)
        where THandler : ConnectionHandler<TIn, TOut> =>
        new(provider.GetRequiredService<IServiceScopeFactory>());
}
