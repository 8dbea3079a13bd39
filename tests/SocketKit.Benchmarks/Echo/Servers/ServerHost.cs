using System.Globalization;

namespace SocketKit.Benchmarks.Echo.Servers;

/// <summary>
/// What every benchmark server process does: serve on loopback, print "listening PORT", answer "stats" on stdin
/// with the bytes allocated so far and the messages echoed (SocketKit counts them), answer "jitted" with the methods the
/// JIT has compiled so far (tiering included, so the benchmark can wait for steady code), and stop on "quit" or end of input.
/// With TLS (SocketKit and Kestrel only), TLS 1.3 with a certificate made at start.
/// </summary>
public static class ServerHost
{
    public static async Task<int> RunAsync(string implementation, bool tls)
    {
        using var stop = new CancellationTokenSource();
        using var certificate = tls ? BenchmarkCertificate.Create() : null;
        Func<CancellationToken, Task<int>>? start = (implementation, tls) switch
        {
            ("socketkit", _) => token => SocketKitEchoServer.StartAsync(token, certificate),
            ("kestrel", _) => token => KestrelEchoServer.StartAsync(token, certificate),
            ("bare", false) => BareEchoServer.StartAsync,
            ("kestrel-http", false) => KestrelHttpServer.StartAsync,
            ("dotnetty", false) => DotNettyEchoServer.StartAsync,
            ("udp-socketkit", false) => UdpEcho.UdpEchoServers.StartEndpointAsync,
            ("udp-sessions", false) => UdpEcho.UdpEchoServers.StartSessionsAsync,
            ("udp-bare", false) => UdpEcho.UdpEchoServers.StartBareAsync,
            _ => null,
        };
        if (start is null)
        {
            await Console.Error.WriteLineAsync($"unknown server '{implementation}'" + (tls ? " with TLS (socketkit and kestrel have it)" : ""));
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
            else if (line == "jitted")
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"jitted {System.Runtime.JitInfo.GetCompiledMethodCount()}"));
            }
        }

        await stop.CancelAsync();
        return 0;
    }
}
