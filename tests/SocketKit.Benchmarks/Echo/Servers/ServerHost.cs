using System.Globalization;

namespace SocketKit.Benchmarks.Echo.Servers;

/// <summary>
/// What every benchmark server process does: serve on loopback, print "listening PORT", answer "stats" on stdin
/// with the bytes allocated so far and the messages echoed (SocketKit counts them), and stop on "quit" or end of input.
/// </summary>
public static class ServerHost
{
    public static async Task<int> RunAsync(string implementation)
    {
        using var stop = new CancellationTokenSource();
        Func<CancellationToken, Task<int>>? start = implementation switch
        {
            "socketkit" => SocketKitEchoServer.StartAsync,
            "bare" => BareEchoServer.StartAsync,
            "kestrel" => KestrelEchoServer.StartAsync,
            "kestrel-http" => KestrelHttpServer.StartAsync,
            "dotnetty" => DotNettyEchoServer.StartAsync,
            "udp-socketkit" => UdpEcho.UdpEchoServers.StartEndpointAsync,
            "udp-sessions" => UdpEcho.UdpEchoServers.StartSessionsAsync,
            "udp-bare" => UdpEcho.UdpEchoServers.StartBareAsync,
            _ => null,
        };
        if (start is null)
        {
            await Console.Error.WriteLineAsync($"unknown server '{implementation}'");
            return 2;
        }

        using var sampler = AllocationSampler.CreateIfRequested();
        var statsRequests = 0;
        var port = await start(stop.Token);
        Console.WriteLine(FormattableString.Invariant($"listening {port}"));
        while (await Console.In.ReadLineAsync() is { } line && line != "quit")
        {
            if (line == "stats")
            {
                if (++statsRequests % 2 == 1)
                {
                    sampler?.Start(); // the benchmark asks at both edges of each measured window
                }
                else
                {
                    sampler?.StopAndReport(Console.Error);
                }

                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"stats allocated={GC.GetTotalAllocatedBytes(precise: true)} messages={EchoStats.Messages}"));
            }
        }

        await stop.CancelAsync();
        return 0;
    }
}
