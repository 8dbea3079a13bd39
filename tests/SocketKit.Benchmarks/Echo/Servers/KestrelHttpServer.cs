using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace SocketKit.Benchmarks.Echo.Servers;

/// <summary>
/// The peer of the HTTP sample's wrk benchmark (samples/HttpServer/bench.sh): a minimal Kestrel app answering
/// GET /plaintext with "Hello, World!", as the sample does.
/// </summary>
public static class KestrelHttpServer
{
    public static async Task<int> StartAsync(CancellationToken stop)
    {
        var port = int.TryParse(Environment.GetEnvironmentVariable("BENCH_PORT"), out var fixedPort) ? fixedPort : 0;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(o => o.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        app.MapGet("/plaintext", () => "Hello, World!");
        await app.StartAsync(stop);
        stop.Register(() => _ = app.StopAsync());
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new Uri(address).Port;
    }
}
