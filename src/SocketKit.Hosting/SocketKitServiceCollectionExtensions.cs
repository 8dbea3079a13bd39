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
        EnsureUnique<TcpServer<TIn, TOut>>(services, name);
        services.TryAddScoped<THandler>();
        services.AddKeyedSingleton(name, (provider, _) => new TcpServer<TIn, TOut>(
            provider.GetRequiredService<IOptionsMonitor<TcpServerOptions>>().Get(name),
            codec,
            new ScopedHandlerFactory<TIn, TOut, THandler>(provider.GetRequiredService<IServiceScopeFactory>()),
            provider.GetService<ILoggerFactory>(),
            provider.GetService<TimeProvider>()));
        services.AddSingleton<IHostedService>(provider =>
        {
            var server = provider.GetRequiredKeyedService<TcpServer<TIn, TOut>>(name);
            return new ServerHostedService(server.StartAsync, server.StopAsync);
        });
        services.AddSingleton<IValidateOptions<TcpServerOptions>>(new ServerOptionsValidator(name));
        return services.AddOptions<TcpServerOptions>(name).ValidateOnStart();
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
        EnsureUnique<UdpServer<TIn, TOut>>(services, name);
        services.TryAddScoped<THandler>();
        services.AddKeyedSingleton(name, (provider, _) => new UdpServer<TIn, TOut>(
            provider.GetRequiredService<IOptionsMonitor<UdpServerOptions>>().Get(name),
            decoder,
            encoder,
            new ScopedHandlerFactory<TIn, TOut, THandler>(provider.GetRequiredService<IServiceScopeFactory>()),
            provider.GetService<ILoggerFactory>(),
            provider.GetService<TimeProvider>()));
        services.AddSingleton<IHostedService>(provider =>
        {
            var server = provider.GetRequiredKeyedService<UdpServer<TIn, TOut>>(name);
            return new ServerHostedService(server.StartAsync, server.StopAsync);
        });
        services.AddSingleton<IValidateOptions<UdpServerOptions>>(new ServerOptionsValidator(name));
        return services.AddOptions<UdpServerOptions>(name).ValidateOnStart();
    }

    private static void EnsureUnique<TServer>(IServiceCollection services, string name)
    {
        if (services.Any(d => d.ServiceType == typeof(TServer) && Equals(d.ServiceKey, name)))
        {
            throw new InvalidOperationException($"A SocketKit server named '{name}' ({typeof(TServer).Name}) was already added; give each server its own name.");
        }
    }
}
