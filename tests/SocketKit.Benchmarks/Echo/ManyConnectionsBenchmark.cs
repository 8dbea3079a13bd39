using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace SocketKit.Benchmarks.Echo;

/// <summary>
/// Many idle connections: a separate client process (this program with "hold PORT") opens them in steps, each exchanging
/// one frame and then staying idle, from 127.0.0.1–127.0.0.64 so no source address runs out of ports. At each step this
/// reads the server's resident memory per connection, the rate the step was accepted at, and how long a fresh client
/// waits for its echo. The method needs nothing but descriptors: it runs unchanged at 100 000 where limits allow.
/// </summary>
public static class ManyConnectionsBenchmark
{
    private const int WarmUp = 64;

    public static async Task<int> RunAsync(string[] args)
    {
        var servers = EchoBenchmark.Option(args, "--servers")?.Split(',') ?? ["socketkit", "kestrel"];
        var limit = DescriptorLimit.Raise(1_000_000); // children inherit it
        var total = int.Parse(EchoBenchmark.Option(args, "--total") ?? ((int)limit - 1000).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        var steps = new[] { 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000 }.Where(s => s < total).Append(total).ToArray();
        Console.WriteLine($"many connections: servers {string.Join(", ", servers)}; steps {string.Join(", ", steps)}; descriptor limit {limit} per process");
        var report = new StringBuilder("| Server | Connections | KiB per connection | Accepted per second (step) | Fresh client's echo (ms) |\n|---|---:|---:|---:|---:|\n");
        foreach (var name in servers)
        {
            await using var server = await ServerProcess.StartAsync(name);
            using var client = StartHolder(server.Port);
            await OpenUpToAsync(client, WarmUp);
            await Task.Delay(TimeSpan.FromSeconds(1));
            var baseline = server.ResidentBytes();
            var held = WarmUp;
            foreach (var step in steps)
            {
                var seconds = await OpenUpToAsync(client, step);
                await Task.Delay(TimeSpan.FromSeconds(1)); // let the server settle its buffers before reading RSS
                var perConnection = (server.ResidentBytes() - baseline) / 1024.0 / (step - WarmUp);
                var fresh = await FreshEchoAsync(server.Port);
                var row = FormattableString.Invariant($"| {name} | {step:N0} | {perConnection:F2} | {(step - held) / seconds:N0} | {fresh.TotalMilliseconds:F2} |");
                Console.WriteLine(row);
                report.AppendLine(row);
                held = step;
            }

            await client.StandardInput.WriteLineAsync("quit");
            await client.WaitForExitAsync();
        }

        Console.WriteLine();
        Console.WriteLine(report);
        return 0;
    }

    /// <summary>The client process: holds connections to PORT, opening more on "open N" until it holds N; "quit" ends.</summary>
    public static async Task<int> HoldAsync(int port)
    {
        DescriptorLimit.Raise(1_000_000);
        var held = new List<Socket>();
        while (await Console.In.ReadLineAsync() is { } line && line != "quit")
        {
            var wanted = int.Parse(line["open ".Length..], CultureInfo.InvariantCulture);
            var timer = Stopwatch.StartNew();
            held.AddRange(await LoadGenerator.OpenIdleAsync(port, wanted - held.Count, firstIndex: held.Count));
            Console.WriteLine(FormattableString.Invariant($"held {held.Count} {timer.Elapsed.TotalSeconds}"));
        }

        foreach (var socket in held)
        {
            socket.Dispose();
        }

        return 0;
    }

    private static Process StartHolder(int port)
    {
        var self = Environment.ProcessPath!;
        var info = new ProcessStartInfo(self) { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            info.ArgumentList.Add(typeof(ManyConnectionsBenchmark).Assembly.Location);
        }

        info.ArgumentList.Add("hold");
        info.ArgumentList.Add(port.ToString(CultureInfo.InvariantCulture));
        return Process.Start(info) ?? throw new InvalidOperationException("the client process did not start");
    }

    /// <summary>Asks the client process to hold <paramref name="count"/> connections; returns how long the step took.</summary>
    private static async Task<double> OpenUpToAsync(Process client, int count)
    {
        await client.StandardInput.WriteLineAsync(FormattableString.Invariant($"open {count}"));
        var line = await client.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(10))
            ?? throw new InvalidOperationException("the client process ended (out of descriptors or ports?)");
        var parts = line.Split(' ');
        return double.Parse(parts[2], CultureInfo.InvariantCulture);
    }

    /// <summary>A new client from this process: connect, echo one frame, close; how long it took.</summary>
    private static async Task<TimeSpan> FreshEchoAsync(int port)
    {
        var timer = Stopwatch.StartNew();
        await LoadGenerator.StormAsync(port, total: 1, parallel: 1);
        return timer.Elapsed;
    }
}
