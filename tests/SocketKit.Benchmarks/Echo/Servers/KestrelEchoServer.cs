using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SocketKit.Transports;

namespace SocketKit.Benchmarks.Echo.Servers;

/// <summary>Kestrel's socket transport with a ConnectionHandler echoing the same frames (complete frames, one flush per read).</summary>
public static class KestrelEchoServer
{
    public static async Task<int> StartAsync(CancellationToken stop)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(o =>
        {
            o.Limits.MaxConcurrentConnections = null;
            o.Listen(IPAddress.Loopback, 0, listen => listen.UseConnectionHandler<EchoConnectionHandler>());
        });
        var app = builder.Build();
        await app.StartAsync(stop);
        stop.Register(() => _ = app.StopAsync());
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new Uri(address).Port;
    }

    private sealed class EchoConnectionHandler : ConnectionHandler
    {
        public override async Task OnConnectedAsync(ConnectionContext connection)
        {
            var input = connection.Transport.Input;
            var output = connection.Transport.Output;
            while (true)
            {
                var result = await input.ReadAsync();
                var buffer = result.Buffer;
                var complete = EchoFrames.CompleteFramesLength(buffer);
                if (complete > 0)
                {
                    foreach (var segment in buffer.Slice(0, complete))
                    {
                        await output.WriteAsync(segment);
                    }
                }

                input.AdvanceTo(buffer.GetPosition(complete), buffer.End);
                if (result.IsCompleted)
                {
                    break;
                }
            }
        }
    }
}
