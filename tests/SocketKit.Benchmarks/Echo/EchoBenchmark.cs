using System.Diagnostics;
using System.Globalization;

namespace SocketKit.Benchmarks.Echo;

/// <summary>
/// The end-to-end echo comparison: each server in its own fresh process, the same scenarios against each, runs
/// interleaved. Decides on server CPU (from /proc, sampled at the window's edges) and idle memory; reports rates and
/// latencies with their spreads.
/// </summary>
public static class EchoBenchmark
{
    private static readonly string[] AllServers = ["socketkit", "kestrel", "dotnetty", "bare"];

    public static async Task<int> RunAsync(string[] args)
    {
        var servers = Option(args, "--servers")?.Split(',') ?? AllServers;
        var runs = int.Parse(Option(args, "--runs") ?? "3", CultureInfo.InvariantCulture);
        var seconds = double.Parse(Option(args, "--seconds") ?? "5", CultureInfo.InvariantCulture);
        var idle = int.Parse(Option(args, "--idle") ?? "10000", CultureInfo.InvariantCulture);
        var output = Option(args, "--output");
        var idleOnly = args.Contains("--idle-only");
        var limit = DescriptorLimit.Raise((ulong)(idle * 2) + 1024);
        Console.WriteLine($"echo benchmark: servers {string.Join(", ", servers)}; {runs} run(s); {seconds} s windows; {idle} idle connections; descriptor limit {limit}");

        var results = new List<EchoResult>();
        for (var run = 1; run <= runs; run++)
        {
            foreach (var server in servers)
            {
                Console.Write($"run {run}/{runs} {server,-10}");
                var result = await MeasureAsync(server, TimeSpan.FromSeconds(seconds), idle, idleOnly);
                results.Add(result);
                Console.WriteLine(FormattableString.Invariant(
                    $" small {result.SmallCpuUsPerMessage:F3} µs/msg, bulk {result.BulkCpuMsPerGigabyte:F0} ms/GB, idle {result.IdleKibPerConnection:F2} KiB/conn"));
            }
        }

        var report = EchoReport.Create(results, servers, runs, seconds, idle);
        Console.WriteLine();
        Console.WriteLine(report.Markdown);
        if (output is not null)
        {
            Directory.CreateDirectory(output);
            await File.WriteAllTextAsync(Path.Combine(output, "echo-results.md"), report.Markdown);
            await File.WriteAllTextAsync(Path.Combine(output, "echo-chart.svg"), report.Svg);
            Console.WriteLine($"wrote {Path.Combine(output, "echo-results.md")} and echo-chart.svg");
        }

        return 0;
    }

    /// <summary>Runs SocketKit's echo alone for about a second and checks that it echoed: the smoke test behind CI.</summary>
    public static async Task<long> SmokeAsync()
    {
        await using var server = await ServerProcess.StartAsync("socketkit");
        var (echoed, _, _) = await LoadAsync(server, 4, 4, 32, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1));
        return echoed;
    }

    private static async Task<EchoResult> MeasureAsync(string name, TimeSpan window, int idleConnections, bool idleOnly)
    {
        var result = new EchoResult(name);
        await using var server = await ServerProcess.StartAsync(name);

        // Idle memory first, on the fresh process, after a 64-connection warm-up.
        foreach (var socket in await LoadGenerator.OpenIdleAsync(server.Port, 64))
        {
            socket.Dispose();
        }

        var before = server.ResidentBytes();
        var idle = await LoadGenerator.OpenIdleAsync(server.Port, idleConnections);
        await Task.Delay(TimeSpan.FromSeconds(1)); // let the server settle its buffers before reading RSS
        result.IdleKibPerConnection = (server.ResidentBytes() - before) / 1024.0 / idleConnections;
        foreach (var socket in idle)
        {
            socket.Dispose();
        }

        if (idleOnly)
        {
            return result; // --idle-only: a quick, stable check of memory per connection
        }

        var latency = new LoadGenerator.Progress();
        await LoadAsync(server, 1, 1, 32, TimeSpan.FromSeconds(1), window, latency);
        var sorted = latency.LatenciesMicroseconds.Order().ToArray();
        result.LatencyP50Us = Percentile(sorted, 0.50);
        result.LatencyP99Us = Percentile(sorted, 0.99);

        var (small, smallCpu, allocated) = await LoadAsync(server, 50, 16, 32, TimeSpan.FromSeconds(1), window);
        result.SmallMessagesPerSecond = small / window.TotalSeconds;
        result.SmallCpuUsPerMessage = smallCpu.TotalMicroseconds / small;
        result.AllocatedBytesPerMessage = allocated ?? double.NaN;

        const int bulkPayload = 64 * 1024;
        var (bulk, bulkCpu, _) = await LoadAsync(server, 8, 4, bulkPayload, TimeSpan.FromSeconds(1), window);
        var gigabytes = bulk * (double)(bulkPayload + EchoFrames.HeaderLength) / 1e9;
        result.BulkMegabytesPerSecond = gigabytes * 1000 / window.TotalSeconds;
        result.BulkCpuMsPerGigabyte = bulkCpu.TotalMilliseconds / gigabytes;

        var storm = Stopwatch.StartNew();
        await LoadGenerator.StormAsync(server.Port, 2000, 16);
        result.StormConnectionsPerSecond = 2000 / storm.Elapsed.TotalSeconds;
        return result;
    }

    /// <summary>Runs a load, samples the server's CPU time and the echo count at both edges of the measured window.</summary>
    /// <summary>
    /// Runs the load, then measures over the window: messages echoed, server CPU and (where the server counts its
    /// messages) bytes allocated per message, all read at the window's edges so connection setup and teardown stay out.
    /// </summary>
    private static async Task<(long Echoed, TimeSpan Cpu, double? AllocatedPerMessage)> LoadAsync(
        ServerProcess server, int connections, int inFlight, int payload, TimeSpan warmUp, TimeSpan window, LoadGenerator.Progress? progress = null)
    {
        progress ??= new LoadGenerator.Progress();
        using var stop = new CancellationTokenSource();
        var load = LoadGenerator.RunAsync(server.Port, connections, inFlight, payload, progress, stop.Token);
        await Task.Delay(warmUp);
        var stats0 = await server.StatsAsync();
        var cpu0 = server.CpuTime();
        var count0 = progress.Echoed;
        progress.Recording = true;
        await Task.Delay(window);
        progress.Recording = false;
        var count1 = progress.Echoed;
        var cpu1 = server.CpuTime();
        var stats1 = await server.StatsAsync();
        await stop.CancelAsync();
        await load;
        double? allocated = stats1.Messages > stats0.Messages
            ? (double)(stats1.Allocated - stats0.Allocated) / (stats1.Messages - stats0.Messages)
            : null;
        return (count1 - count0, cpu1 - cpu0, allocated);
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];

    internal static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
