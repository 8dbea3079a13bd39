using System.Globalization;
using System.Text;
using SocketKit.Benchmarks.Echo;

namespace SocketKit.Benchmarks.UdpEcho;

/// <summary>
/// The UDP echo comparison: SocketKit's endpoint and sessions against a bare ReceiveFrom/SendTo loop, each in its own
/// fresh process, runs interleaved. Decides on server CPU per datagram (from /proc, sampled at the window's edges);
/// reports datagrams/s, and bytes allocated per datagram over the window.
/// </summary>
public static class UdpEchoBenchmark
{
    private static readonly string[] AllServers = ["udp-socketkit", "udp-sessions", "udp-bare"];

    public static async Task<int> RunAsync(string[] args)
    {
        var servers = EchoBenchmark.Option(args, "--servers")?.Split(',') ?? AllServers;
        var runs = int.Parse(EchoBenchmark.Option(args, "--runs") ?? "3", CultureInfo.InvariantCulture);
        var seconds = double.Parse(EchoBenchmark.Option(args, "--seconds") ?? "5", CultureInfo.InvariantCulture);
        var clients = int.Parse(EchoBenchmark.Option(args, "--clients") ?? "8", CultureInfo.InvariantCulture);
        var window = int.Parse(EchoBenchmark.Option(args, "--window") ?? "16", CultureInfo.InvariantCulture);
        var payload = int.Parse(EchoBenchmark.Option(args, "--payload") ?? "32", CultureInfo.InvariantCulture);
        Console.WriteLine($"UDP echo benchmark: servers {string.Join(", ", servers)}; {runs} run(s); {seconds} s windows; {clients} clients × {window} in flight × {payload} B");

        var results = new List<(string Server, double CpuUs, double Rate, double Allocated)>();
        for (var run = 1; run <= runs; run++)
        {
            foreach (var name in servers)
            {
                await using var server = await ServerProcess.StartAsync(name);
                var progress = new EchoProgress();
                using var stop = new CancellationTokenSource();
                var load = UdpLoadGenerator.RunAsync(server.Port, clients, window, payload, progress, stop.Token);
                await Task.Delay(TimeSpan.FromSeconds(1));
                var stats0 = await server.StatsAsync();
                var cpu0 = server.CpuTime();
                var count0 = progress.Echoed;
                await Task.Delay(TimeSpan.FromSeconds(seconds));
                var count1 = progress.Echoed;
                var cpu1 = server.CpuTime();
                var stats1 = await server.StatsAsync();
                await stop.CancelAsync();
                await load;
                var echoed = count1 - count0;
                var handled = stats1.Messages - stats0.Messages;
                var result = (name, (cpu1 - cpu0).TotalMicroseconds / echoed, echoed / seconds,
                    handled > 0 ? (double)(stats1.Allocated - stats0.Allocated) / handled : double.NaN);
                results.Add(result);
                Console.WriteLine(FormattableString.Invariant(
                    $"run {run}/{runs} {name,-14} {result.Item2:F3} µs/datagram, {result.Item3:N0} datagrams/s, {result.Item4:F3} B/datagram over {handled:N0}"));
            }
        }

        Console.WriteLine();
        Console.WriteLine(Table(results, servers, runs, seconds, clients, window, payload));
        return 0;
    }

    private static string Table(List<(string Server, double CpuUs, double Rate, double Allocated)> results, string[] servers, int runs, double seconds, int clients, int window, int payload)
    {
        var baseline = servers.Contains("udp-bare") ? "udp-bare" : servers[0];
        var markdown = new StringBuilder();
        markdown.AppendLine(CultureInfo.InvariantCulture, $"Median of {runs} interleaved run(s) per server, {seconds} s windows, {clients} clients × {window} in flight × {payload} B; spread = (max - min) / median; ratio = median / {baseline}'s median.");
        markdown.AppendLine();
        markdown.AppendLine("| Metric | " + string.Join(" | ", servers) + " |");
        markdown.AppendLine("|---|" + string.Concat(servers.Select(_ => "---:|")));
        foreach (var (metric, get) in new (string, Func<(string Server, double CpuUs, double Rate, double Allocated), double>)[]
        {
            ("Server CPU per datagram (µs)", r => r.CpuUs),
            ("Datagrams per second", r => r.Rate),
            ("Allocated per datagram (B)", r => r.Allocated),
        })
        {
            var reference = EchoReport.Median(results.Where(r => r.Server == baseline).Select(get));
            markdown.Append(CultureInfo.InvariantCulture, $"| {metric} |");
            foreach (var server in servers)
            {
                var values = results.Where(r => r.Server == server).Select(get).Where(v => !double.IsNaN(v)).ToArray();
                var median = EchoReport.Median(values);
                var spread = values.Length == 0 || median == 0 ? double.NaN : (values.Max() - values.Min()) / median * 100;
                markdown.Append(double.IsNaN(median)
                    ? " – |"
                    : string.Create(CultureInfo.InvariantCulture, $" {EchoReport.Format(median)} ±{spread:F0} % ({median / reference:F2}×) |"));
            }

            markdown.AppendLine();
        }

        return markdown.ToString();
    }
}
