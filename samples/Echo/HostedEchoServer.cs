using System.Buffers;
using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SocketKit.Codecs;
using SocketKit.Hosting;
using SocketKit.Tcp;

namespace Echo;

/// <summary>
/// The echo server in the .NET Generic Host: its options come from configuration (here the command line's endpoint,
/// overridable by environment variables such as <c>SocketKit__Echo__MaxConnections=100</c>), a handler per connection
/// comes from dependency injection, and the host stops it gracefully on Ctrl+C or SIGTERM.
/// </summary>
public static class HostedEchoServer
{
    public static async Task<int> RunAsync(IPEndPoint endPoint, CancellationToken stop)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["SocketKit:Echo:EndPoints:0"] = endPoint.ToString() });
        builder.Configuration.AddEnvironmentVariables(); // after the defaults: the environment wins
        builder.Services
            .AddSocketKitTcpServer<ReadOnlySequence<byte>, ReadOnlySequence<byte>, EchoHandler>("echo", Codec.LengthPrefixed())
            .Configure(options => options.Connection.IdleTimeout = EchoServer.DefaultIdleTimeout) // SocketKit__Echo__Connection__IdleTimeout overrides it
            .BindSocketKit(builder.Configuration.GetSection("SocketKit:Echo"));

        using var host = builder.Build();
        await host.StartAsync(stop);
        var server = host.Services.GetRequiredKeyedService<TcpServer<ReadOnlySequence<byte>, ReadOnlySequence<byte>>>("echo");
        Console.WriteLine($"hosted echo server listening on {string.Join(", ", server.EndPoints)}; Ctrl+C or SIGTERM to stop");
        await host.WaitForShutdownAsync(stop); // the host's own SIGTERM handling, or the command line's token
        Console.WriteLine($"stopped after serving {server.AcceptedConnections} connection(s)");
        return 0;
    }
}
