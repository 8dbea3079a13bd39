using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SocketKit.Transports;

namespace SocketKit.Benchmarks.Echo.Servers;

/// <summary>Kestrel's socket transport (optionally with its HTTPS connection middleware) with a ConnectionHandler echoing the same frames (complete frames, one flush per read).</summary>
public static class KestrelEchoServer
{
    /// <param name="stop">Stops the server.</param>
    /// <param name="certificate">TLS 1.3 with this certificate (the HTTPS connection middleware, <c>UseHttps</c>); <see langword="null"/>: plain TCP.</param>
    /// <returns>The port it listens on.</returns>
    public static async Task<int> StartAsync(CancellationToken stop, X509Certificate2? certificate = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(o =>
        {
            o.Limits.MaxConcurrentConnections = null;
            o.Listen(IPAddress.Loopback, 0, listen =>
            {
                if (certificate is not null)
                {
                    listen.UseHttps(https =>
                    {
                        https.ServerCertificate = certificate;
                        https.SslProtocols = SslProtocols.Tls13;
                    });
                }

                listen.UseConnectionHandler<EchoConnectionHandler>();
            });
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
