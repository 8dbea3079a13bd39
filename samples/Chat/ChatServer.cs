using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SocketKit.Codecs;
using SocketKit.Connections;
using SocketKit.Hosting;
using SocketKit.Proxy;
using SocketKit.Tcp;

namespace Chat;

/// <summary>The chat server in the Generic Host: a session per connection from DI, the hub shared by all.</summary>
public static class ChatServer
{
    /// <summary>What one client may have queued for it before it is dropped as too slow: about 500 chat lines.</summary>
    public const int SendBufferLimit = 64 * 1024;

    /// <param name="endPoint">Where to listen.</param>
    /// <param name="logLevel">The console log's level.</param>
    /// <param name="configure">Changes to the server's options after the sample's own (tests shrink the kernel's buffers).</param>
    /// <param name="redis">Where Redis is (<c>HOST:PORT</c>) to chat with the other servers started with it, or null to chat alone.</param>
    public static IHost CreateHost(IPEndPoint endPoint, LogLevel logLevel = LogLevel.Information, Action<TcpServerOptions>? configure = null, string? redis = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(logLevel);
        builder.Services.AddSingleton<ChatHub>();
        if (redis is not null)
        {
            // Registered before the server, so the host starts it first and stops it last.
            builder.Services.AddSingleton(services => new RedisChatBackplane(
                services.GetRequiredService<ChatHub>(), redis, services.GetRequiredService<ILogger<RedisChatBackplane>>()));
            builder.Services.AddHostedService(services => services.GetRequiredService<RedisChatBackplane>());
        }

        builder.Services
            .AddSocketKitTcpServer<string, string, ChatSession>("chat", LineCodec)
            .Configure(options =>
            {
                options.EndPoints.Add(endPoint);
                ConfigureConnections(options.Connection);
                configure?.Invoke(options);
            });
        return builder.Build();
    }

    /// <summary>The chat's lines: UTF-8, at most 4 KiB.</summary>
    public static Codec<string, string> LineCodec { get; } = Codec.Lines(new LineFramerOptions { MaxLineLength = 4096 });

    /// <summary>The slow-client policy, for every front end (TCP here, WebSocket in the HttpServer sample).</summary>
    public static void ConfigureConnections(ConnectionOptions connection)
    {
        // Each client's outgoing lines wait in its own bounded send buffer. A client that stops reading fills only its
        // own buffer and is then dropped (SlowConsumer), so a room's broadcast never waits for it and everyone else
        // keeps chatting.
        connection.SendBufferHighWatermark = SendBufferLimit;
        connection.SendBufferLowWatermark = SendBufferLimit / 2;
        connection.FullSendBufferPolicy = FullSendBufferPolicy.Disconnect;
        // A client the server closes (bad input, /quit) gets a second to take its last lines and close too; then it
        // is reset and the room hears that it left.
        connection.CloseTimeout = TimeSpan.FromSeconds(1);
    }

    public static TcpServer<string, string> Server(this IHost host) => host.Services.GetRequiredKeyedService<TcpServer<string, string>>("chat");

    /// <summary>Serves until Ctrl+C or SIGTERM (the host handles both), then stops gracefully.</summary>
    /// <param name="endPoint">Where to listen.</param>
    /// <param name="stop">Cancelled by Ctrl+C or SIGTERM.</param>
    /// <param name="redis">Where Redis is, to chat with the other servers; null to chat alone.</param>
    /// <param name="trustedProxies">Load balancers whose PROXY protocol header names the real client; empty for none.</param>
    public static async Task<int> RunAsync(IPEndPoint endPoint, CancellationToken stop, string? redis = null, IReadOnlyList<IPNetwork>? trustedProxies = null)
    {
        using var host = CreateHost(endPoint, redis: redis, configure: options =>
        {
            if (trustedProxies is { Count: > 0 })
            {
                options.ProxyProtocol = new ProxyProtocolOptions();
                foreach (var network in trustedProxies)
                {
                    options.ProxyProtocol.TrustedProxies.Add(network);
                }
            }
        });
        await host.StartAsync(stop);
        Console.WriteLine($"chat server listening on {host.Server().EndPoints[0]}; Ctrl+C or SIGTERM to stop");
        await host.WaitForShutdownAsync(stop);
        Console.WriteLine($"stopped after {host.Server().AcceptedConnections} connection(s)");
        return 0;
    }
}
