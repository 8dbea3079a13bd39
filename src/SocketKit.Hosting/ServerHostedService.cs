using Microsoft.Extensions.Hosting;

namespace SocketKit.Hosting;

/// <summary>
/// Starts a server with the host and stops it gracefully when the host stops (Ctrl+C, SIGTERM, <c>StopApplication</c>):
/// the server drains for up to its drain timeout, cut short if the host's own shutdown timeout runs out first.
/// </summary>
internal sealed class ServerHostedService(Func<CancellationToken, Task> start, Func<CancellationToken, Task> stop) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => start(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => stop(cancellationToken);
}
