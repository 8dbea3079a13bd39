using System.Diagnostics;
using System.Globalization;

namespace SocketKit.Benchmarks.Echo;

/// <summary>One echo server in its own process (this program with "serve NAME"), measured through /proc.</summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private static readonly double TicksPerSecond = 100; // USER_HZ on Linux
    private readonly Process _process;

    private ServerProcess(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The core a pinned server runs on; the load generator (this process, re-run pinned) takes the other.</summary>
    public const int ServerCore = 0;

    /// <param name="implementation">Which server: a name <c>serve</c> knows, or <see cref="NativeTools.EchoServer"/>.</param>
    /// <param name="pinned">Run it on <see cref="ServerCore"/> only (<c>taskset</c>), every thread of it.</param>
    /// <param name="tls">Serve TLS 1.3 (SocketKit and Kestrel).</param>
    public static async Task<ServerProcess> StartAsync(string implementation, bool pinned = false, bool tls = false)
    {
        var command = new List<string>();
        if (pinned)
        {
            command.AddRange(["taskset", "-c", ServerCore.ToString(CultureInfo.InvariantCulture)]);
        }

        if (implementation == NativeTools.EchoServer)
        {
            command.Add(NativeTools.EchoServerExecutable);
        }
        else
        {
            var self = Environment.ProcessPath!;
            command.Add(self);
            if (Path.GetFileNameWithoutExtension(self) == "dotnet")
            {
                command.Add(typeof(ServerProcess).Assembly.Location);
            }

            command.AddRange(["serve", implementation]);
            if (tls)
            {
                command.Add("--tls");
            }
        }

        var info = new ProcessStartInfo(command[0])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var argument in command.Skip(1))
        {
            info.ArgumentList.Add(argument);
        }

        var process = Process.Start(info)!;
        var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
        if (line is null || !line.StartsWith("listening ", StringComparison.Ordinal))
        {
            process.Kill();
            throw new InvalidOperationException($"{implementation} server did not start: {line}");
        }

        return new ServerProcess(process, int.Parse(line["listening ".Length..], CultureInfo.InvariantCulture));
    }

    /// <summary>User + system CPU time of the server process so far, from /proc/PID/stat.</summary>
    public TimeSpan CpuTime()
    {
        var stat = File.ReadAllText($"/proc/{_process.Id}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / TicksPerSecond);
    }

    /// <summary>Resident memory of the server process, from /proc/PID/status.</summary>
    public long ResidentBytes()
    {
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
            }
        }

        return 0;
    }

    /// <summary>Bytes the server has allocated and messages it has echoed (SocketKit counts messages; others report 0).</summary>
    public async Task<(long Allocated, long Messages)> StatsAsync()
    {
        await _process.StandardInput.WriteLineAsync("stats");
        var line = await _process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10)) ?? "";
        long allocated = 0, messages = 0;
        foreach (var part in line.Split(' '))
        {
            if (part.StartsWith("allocated=", StringComparison.Ordinal))
            {
                allocated = long.Parse(part[10..], CultureInfo.InvariantCulture);
            }
            else if (part.StartsWith("messages=", StringComparison.Ordinal))
            {
                messages = long.Parse(part[9..], CultureInfo.InvariantCulture);
            }
        }

        return (allocated, messages);
    }

    /// <summary>Methods the server's JIT has compiled so far, tier-ups included (0 for the C echo, compiled ahead).</summary>
    public async Task<long> JittedMethodsAsync()
    {
        await _process.StandardInput.WriteLineAsync("jitted");
        var line = await _process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10)) ?? "";
        return line.StartsWith("jitted ", StringComparison.Ordinal) ? long.Parse(line[7..], CultureInfo.InvariantCulture) : 0;
    }

    /// <summary>
    /// Waits at least <paramref name="minimum"/>, then until a second passes in which the JIT compiled nothing (at most
    /// 60 s): the code under load has reached its final tier. On one pinned core the background tier-up competes with the
    /// load, and a library that is not precompiled (SocketKit, DotNetty) stays partly unoptimised for many seconds.
    /// </summary>
    /// <returns>How long the warm-up took.</returns>
    public async Task<TimeSpan> WarmUpAsync(TimeSpan minimum)
    {
        var clock = Stopwatch.StartNew();
        await Task.Delay(minimum);
        var jitted = await JittedMethodsAsync();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            var now = await JittedMethodsAsync();
            if (now == jitted)
            {
                break;
            }

            jitted = now;
        }

        return clock.Elapsed;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _process.StandardInput.WriteLineAsync("quit");
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception e) when (e is TimeoutException or IOException or InvalidOperationException)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }
}
