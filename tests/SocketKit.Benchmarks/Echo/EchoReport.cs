using System.Globalization;
using System.Text;

namespace SocketKit.Benchmarks.Echo;

/// <summary>Medians, spreads and ratios to Kestrel of the echo runs, as a markdown table and an SVG chart.</summary>
public sealed class EchoReport
{
    private static readonly (string Name, string Unit, Func<EchoResult, double> Get, bool LowerIsBetter)[] Metrics =
    [
        ("Server CPU per 32 B message", "µs", r => r.SmallCpuUsPerMessage, true),
        ("Server CPU per GB (64 KiB frames)", "ms", r => r.BulkCpuMsPerGigabyte, true),
        ("Idle memory per connection", "KiB", r => r.IdleKibPerConnection, true),
        ("Small-message rate (50 × 16 × 32 B)", "msg/s", r => r.SmallMessagesPerSecond, false),
        ("64 KiB throughput (8 × 4)", "MB/s", r => r.BulkMegabytesPerSecond, false),
        ("Storm (5 000 open-exchange-close)", "conn/s", r => r.StormConnectionsPerSecond, false),
        ("Server CPU per storm connection", "µs", r => r.StormCpuUsPerConnection, true),
        ("Latency p50 (1 × 1 × 32 B)", "µs", r => r.LatencyP50Us, true),
        ("Latency p99 (1 × 1 × 32 B)", "µs", r => r.LatencyP99Us, true),
        ("Allocated per echoed message", "B", r => r.AllocatedBytesPerMessage, true),
    ];

    private EchoReport(string markdown, string svg)
    {
        Markdown = markdown;
        Svg = svg;
    }

    public string Markdown { get; }

    public string Svg { get; }

    public static EchoReport Create(IReadOnlyList<EchoResult> results, IReadOnlyList<string> servers, int runs, double seconds, int idle)
    {
        var md = new StringBuilder();
        var idlePart = idle > 0 ? $", {idle} idle connections" : "";
        md.AppendLine(CultureInfo.InvariantCulture, $"Median of {runs} interleaved run(s) per server, {seconds} s measured windows{idlePart}; spread = (max - min) / median; ratio = median / Kestrel's median.");
        md.AppendLine();
        md.Append("| Metric |");
        foreach (var server in servers)
        {
            md.Append(CultureInfo.InvariantCulture, $" {server} |");
        }

        md.AppendLine();
        md.Append("|---|");
        md.AppendLine(string.Concat(servers.Select(_ => "---:|")));
        var ratios = new Dictionary<(string Metric, string Server), double>();
        foreach (var (name, unit, get, _) in Metrics)
        {
            md.Append(CultureInfo.InvariantCulture, $"| {name} ({unit}) |");
            var kestrel = Median(results.Where(r => r.Server == "kestrel").Select(get));
            foreach (var server in servers)
            {
                var values = results.Where(r => r.Server == server).Select(get).Where(v => !double.IsNaN(v)).ToArray();
                if (values.Length == 0)
                {
                    md.Append(" – |");
                    continue;
                }

                var median = Median(values);
                var spread = median == 0 ? 0 : (values.Max() - values.Min()) / median;
                var ratio = double.IsNaN(kestrel) || kestrel == 0 ? double.NaN : median / kestrel;
                ratios[(name, server)] = ratio;
                md.Append(CultureInfo.InvariantCulture, $" {Format(median)} ±{spread:P0}");
                md.Append(double.IsNaN(ratio) ? " |" : string.Create(CultureInfo.InvariantCulture, $" ({ratio:F2}×) |"));
            }

            md.AppendLine();
        }

        return new EchoReport(md.ToString(), Chart(ratios, servers));
    }

    private static string Chart(Dictionary<(string Metric, string Server), double> ratios, IReadOnlyList<string> servers)
    {
        // Lower is better for the three deciding metrics: ratio to Kestrel, Kestrel = 1.
        var deciding = Metrics.Take(3).Select(m => m.Name).ToArray();
        string[] colours = ["#2b6cb0", "#c05621", "#2f855a", "#718096"];
        const int width = 720, rowHeight = 26, top = 50, left = 250, barMax = 400;
        var height = top + (deciding.Length * ((servers.Count * rowHeight) + 20)) + 30;
        var maxRatio = Math.Max(1.5, ratios.Values.Where(v => !double.IsNaN(v)).DefaultIfEmpty(1).Max());
        var svg = new StringBuilder();
        svg.AppendLine(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"13\">");
        svg.AppendLine("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>");
        svg.AppendLine("<text x=\"10\" y=\"24\" font-size=\"16\" font-weight=\"bold\">Echo benchmark: server cost relative to Kestrel (lower is better)</text>");
        var y = top;
        foreach (var metric in deciding)
        {
            svg.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"10\" y=\"{y + 4}\" font-weight=\"bold\">{metric}</text>");
            y += 10;
            for (var i = 0; i < servers.Count; i++)
            {
                var ratio = ratios.GetValueOrDefault((metric, servers[i]), double.NaN);
                var bar = double.IsNaN(ratio) ? 0 : (int)(ratio / maxRatio * barMax);
                svg.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{left - 10}\" y=\"{y + 17}\" text-anchor=\"end\">{servers[i]}</text>");
                svg.AppendLine(CultureInfo.InvariantCulture, $"<rect x=\"{left}\" y=\"{y + 4}\" width=\"{bar}\" height=\"{rowHeight - 8}\" fill=\"{colours[i % colours.Length]}\"/>");
                svg.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{left + bar + 6}\" y=\"{y + 17}\">{(double.IsNaN(ratio) ? "n/a" : ratio.ToString("F2", CultureInfo.InvariantCulture) + "×")}</text>");
                y += rowHeight;
            }

            y += 10;
        }

        var one = left + (int)(1 / maxRatio * barMax);
        svg.AppendLine(CultureInfo.InvariantCulture, $"<line x1=\"{one}\" y1=\"{top}\" x2=\"{one}\" y2=\"{y}\" stroke=\"black\" stroke-dasharray=\"4 3\"/>");
        svg.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{one + 4}\" y=\"{y + 14}\">Kestrel = 1</text>");
        svg.AppendLine("</svg>");
        return svg.ToString();
    }

    internal static double Median(IEnumerable<double> values)
    {
        var sorted = values.Where(v => !double.IsNaN(v)).Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    internal static string Format(double value) => value switch
    {
        >= 1000 => value.ToString("N0", CultureInfo.InvariantCulture),
        >= 10 => value.ToString("F1", CultureInfo.InvariantCulture),
        _ => value.ToString("F3", CultureInfo.InvariantCulture),
    };
}
