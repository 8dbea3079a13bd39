using System.Diagnostics;
using System.Globalization;

namespace SocketKit.Benchmarks.Echo;

/// <summary>
/// One run of the C load generator (<c>echo_load</c>) against a server: it keeps every connection's frames in flight and
/// checks every echoed byte; this reads its count at the window's edges and, for the latency scenario, its percentiles.
/// It runs on this process's core (a child inherits the pinning).
/// </summary>
public sealed class NativeLoad : IAsyncDisposable
{
    private readonly Process _process;

    private NativeLoad(Process process) => _process = process;

    /// <param name="tls">Speak TLS 1.3 on every connection (the OpenSSL build of the generator).</param>
    public static async Task<NativeLoad> StartAsync(int port, int connections, int inFlight, int payload, bool tls = false)
    {
        var info = new ProcessStartInfo(tls ? NativeTools.TlsLoadGeneratorExecutable : NativeTools.LoadGeneratorExecutable)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { port, connections, inFlight, payload })
        {
            info.ArgumentList.Add(argument.ToString(CultureInfo.InvariantCulture));
        }

        var load = new NativeLoad(Process.Start(info) ?? throw new InvalidOperationException("the load generator did not start"));
        await load.ReadAsync("ready");
        return load;
    }

    /// <summary>Frames echoed (and verified) so far.</summary>
    public async Task<long> CountAsync()
    {
        await _process.StandardInput.WriteLineAsync("count");
        return long.Parse(await ReadAsync("count "), CultureInfo.InvariantCulture);
    }

    /// <summary>Starts timing each frame's round trip.</summary>
    public Task RecordAsync() => _process.StandardInput.WriteLineAsync("record");

    /// <summary>Stops timing and returns the median and 99th percentile round trip, in microseconds.</summary>
    public async Task<(double P50, double P99)> ReportAsync()
    {
        await _process.StandardInput.WriteLineAsync("report");
        var parts = (await ReadAsync("latency ")).Split(' ');
        return (double.Parse(parts[0], CultureInfo.InvariantCulture), double.Parse(parts[1], CultureInfo.InvariantCulture));
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _process.StandardInput.WriteLineAsync("quit");
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception e) when (e is TimeoutException or IOException)
        {
            _process.Kill();
        }

        _process.Dispose();
    }

    /// <summary>The rest of the next output line, which must start with <paramref name="prefix"/>; a failed check ends the generator, and this says so.</summary>
    private async Task<string> ReadAsync(string prefix)
    {
        var line = await _process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return line is not null && line.StartsWith(prefix, StringComparison.Ordinal)
            ? line[prefix.Length..]
            : throw new InvalidOperationException($"the load generator stopped (an echoed byte differed, or the server closed a connection): {line}");
    }
}
