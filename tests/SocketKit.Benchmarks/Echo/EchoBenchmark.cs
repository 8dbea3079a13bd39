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
    private static readonly string[] AllServers = ["socketkit", "kestrel", "dotnetty", "bare", NativeTools.EchoServer];
    private static readonly string[] TlsServers = ["socketkit", "kestrel"];

    /// <summary>Set in the re-run of this program that is pinned to the load generator's core.</summary>
    private const string PinnedVariable = "SOCKETKIT_ECHO_PINNED";

    public static async Task<int> RunAsync(string[] args)
    {
        // Pinned (the default): each server on core 0, this process (the load generator) on core 1, so neither steals
        // the other's cycles and small-message costs stop drowning in scheduling noise. --unpinned shares both cores.
        var pinned = !args.Contains("--unpinned");
        if (pinned && Environment.GetEnvironmentVariable(PinnedVariable) != "1")
        {
            return await RunPinnedAsync(args);
        }

        // --tls: the same small-message, latency and bulk scenarios over TLS 1.3 (SocketKit's TLS against Kestrel's
        // UseHttps on a ConnectionHandler; both SslStream), from the OpenSSL build of the load generator.
        var tls = args.Contains("--tls");
        var servers = Option(args, "--servers")?.Split(',') ?? (tls ? TlsServers : AllServers);
        var runs = int.Parse(Option(args, "--runs") ?? "3", CultureInfo.InvariantCulture);
        var seconds = double.Parse(Option(args, "--seconds") ?? "5", CultureInfo.InvariantCulture);
        var idle = int.Parse(Option(args, "--idle") ?? "10000", CultureInfo.InvariantCulture);
        var output = Option(args, "--output");
        var idleOnly = args.Contains("--idle-only");
        var stormOnly = args.Contains("--storm-only");
        var limit = DescriptorLimit.Raise((ulong)(idle * 2) + 1024);
        Console.WriteLine($"echo benchmark{(tls ? " over TLS 1.3" : "")}: servers {string.Join(", ", servers)}; {runs} run(s); {seconds} s windows; {idle} idle connections; descriptor limit {limit}; "
            + (pinned ? $"pinned: servers on core {ServerProcess.ServerCore}, load generator on core {LoadCore}" : "unpinned"));

        var results = new List<EchoResult>();
        for (var run = 1; run <= runs; run++)
        {
            foreach (var server in servers)
            {
                Console.Write($"run {run}/{runs} {server,-10}");
                var result = await MeasureAsync(server, TimeSpan.FromSeconds(seconds), idle, idleOnly, stormOnly, pinned, tls);
                results.Add(result);
                Console.WriteLine(FormattableString.Invariant(
                    $" small {result.SmallCpuUsPerMessage:F3} µs/msg, bulk {result.BulkCpuMsPerGigabyte:F0} ms/GB, idle {result.IdleKibPerConnection:F2} KiB/conn, storm {result.StormCpuUsPerConnection:F0} µs/conn"));
            }
        }

        var report = EchoReport.Create(results, servers, runs, seconds, tls ? 0 : idle);
        Console.WriteLine();
        Console.WriteLine(report.Markdown);
        if (output is not null)
        {
            Directory.CreateDirectory(output);
            var prefix = tls ? "echo-tls" : "echo";
            await File.WriteAllTextAsync(Path.Combine(output, prefix + "-results.md"), report.Markdown);
            await File.WriteAllTextAsync(Path.Combine(output, prefix + "-chart.svg"), report.Svg);
            Console.WriteLine($"wrote {Path.Combine(output, prefix + "-results.md")} and {prefix}-chart.svg");
        }

        return 0;
    }

    private const int LoadCore = 1;

    /// <summary>Runs this program again under <c>taskset</c> on the load generator's core, with the same arguments.</summary>
    private static async Task<int> RunPinnedAsync(string[] args)
    {
        var self = Environment.ProcessPath!;
        var info = new ProcessStartInfo("taskset") { UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(LoadCore.ToString(CultureInfo.InvariantCulture));
        info.ArgumentList.Add(self);
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            info.ArgumentList.Add(typeof(EchoBenchmark).Assembly.Location);
        }

        info.ArgumentList.Add("echo");
        foreach (var argument in args)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment[PinnedVariable] = "1";
        using var process = Process.Start(info) ?? throw new InvalidOperationException("taskset did not start");
        await process.WaitForExitAsync();
        return process.ExitCode;
    }

    private static async Task<EchoResult> MeasureAsync(string name, TimeSpan window, int idleConnections, bool idleOnly, bool stormOnly, bool pinned, bool tls)
    {
        var result = new EchoResult(name);
        await using var server = await ServerProcess.StartAsync(name, pinned, tls);
        if (tls)
        {
            // The idle and storm scenarios open plain connections; over TLS only the message scenarios run.
            await MeasureMessagesAsync(result, server, window, tls);
            return result;
        }

        if (stormOnly)
        {
            await MeasureStormAsync(result, server); // --storm-only: connection setup and teardown alone
            return result;
        }

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

        await MeasureMessagesAsync(result, server, window, tls);
        await MeasureStormAsync(result, server);
        return result;
    }

    /// <summary>
    /// 5 000 connections opened, echoed once and closed, 16 at a time, after a warm-up storm of 2 000 and once the JIT is quiet:
    /// the rate (which the .NET client bounds), and the server's CPU per connection, which does not depend on the client.
    /// </summary>
    private static async Task MeasureStormAsync(EchoResult result, ServerProcess server)
    {
        const int connections = 5000; // 10 ms CPU ticks: 2 µs per connection
        await LoadGenerator.StormAsync(server.Port, 2000, 16);
        await server.WarmUpAsync(TimeSpan.Zero);
        var cpu0 = server.CpuTime();
        var storm = Stopwatch.StartNew();
        await LoadGenerator.StormAsync(server.Port, connections, 16);
        result.StormConnectionsPerSecond = connections / storm.Elapsed.TotalSeconds;
        await Task.Delay(TimeSpan.FromMilliseconds(500)); // the last closes finish on the server's side
        result.StormCpuUsPerConnection = (server.CpuTime() - cpu0).TotalMicroseconds / connections;
    }

    /// <summary>Latency (one connection, one frame in flight), small messages (50 × 16 × 32 B) and bulk (8 × 4 × 64 KiB).</summary>
    private static async Task MeasureMessagesAsync(EchoResult result, ServerProcess server, TimeSpan window, bool tls)
    {
        var (_, _, _, latency) = await LoadAsync(server, 1, 1, 32, TimeSpan.FromSeconds(1), window, tls, timeRoundTrips: true);
        (result.LatencyP50Us, result.LatencyP99Us) = latency!.Value;

        var (small, smallCpu, allocated, _) = await LoadAsync(server, 50, 16, 32, TimeSpan.FromSeconds(1), window, tls);
        result.SmallMessagesPerSecond = small / window.TotalSeconds;
        result.SmallCpuUsPerMessage = smallCpu.TotalMicroseconds / small;
        result.AllocatedBytesPerMessage = allocated ?? double.NaN;

        const int bulkPayload = 64 * 1024;
        var (bulk, bulkCpu, _, _) = await LoadAsync(server, 8, 4, bulkPayload, TimeSpan.FromSeconds(1), window, tls);
        var gigabytes = bulk * (double)(bulkPayload + EchoFrames.HeaderLength) / 1e9;
        result.BulkMegabytesPerSecond = gigabytes * 1000 / window.TotalSeconds;
        result.BulkCpuMsPerGigabyte = bulkCpu.TotalMilliseconds / gigabytes;
    }

    /// <summary>
    /// Runs the C load generator, waits until the server's code is warm (at least <paramref name="warmUp"/>, then until
    /// its JIT is quiet for a second), then measures over the window: messages echoed, server CPU and (where the server counts
    /// its messages) bytes allocated per message, all read at the window's edges so connection setup and teardown stay
    /// out; with <paramref name="timeRoundTrips"/>, the round trips' median and 99th percentile too.
    /// </summary>
    private static async Task<(long Echoed, TimeSpan Cpu, double? AllocatedPerMessage, (double P50, double P99)? Latency)> LoadAsync(
        ServerProcess server, int connections, int inFlight, int payload, TimeSpan warmUp, TimeSpan window, bool tls, bool timeRoundTrips = false)
    {
        await using var load = await NativeLoad.StartAsync(server.Port, connections, inFlight, payload, tls);
        await server.WarmUpAsync(warmUp);
        var stats0 = await server.StatsAsync();
        var cpu0 = server.CpuTime();
        var count0 = await load.CountAsync();
        if (timeRoundTrips)
        {
            await load.RecordAsync();
        }

        await Task.Delay(window);
        var count1 = await load.CountAsync();
        var cpu1 = server.CpuTime();
        var stats1 = await server.StatsAsync();
        (double, double)? latency = timeRoundTrips ? await load.ReportAsync() : null;
        double? allocated = stats1.Messages > stats0.Messages
            ? (double)(stats1.Allocated - stats0.Allocated) / (stats1.Messages - stats0.Messages)
            : null;
        return (count1 - count0, cpu1 - cpu0, allocated, latency);
    }

    internal static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
