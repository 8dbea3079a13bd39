using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace SocketKit.IntegrationTests.Infrastructure;

/// <summary>
/// A real haproxy (Debian's package) in TCP mode, started by the test on free loopback ports from a config it writes,
/// waited for until it accepts, and stopped by its PID.
/// </summary>
public sealed class HaproxyProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TempDirectory _folder;

    private HaproxyProcess(Process process, TempDirectory folder)
    {
        _process = process;
        _folder = folder;
    }

    public const string Executable = "/usr/sbin/haproxy";

    /// <summary>Starts haproxy with one TCP frontend per backend line (e.g. <c>"server s 127.0.0.1:5000 send-proxy-v2"</c>); returns it and each frontend's port.</summary>
    public static async Task<(HaproxyProcess Haproxy, int[] Ports)> StartAsync(params string[] servers)
    {
        var folder = new TempDirectory();
        var ports = servers.Select(_ => FreePort()).ToArray();
        var config = new List<string>
        {
            "global", "  maxconn 1000",
            "defaults", "  mode tcp", "  timeout connect 5s", "  timeout client 30s", "  timeout server 30s",
        };
        for (var i = 0; i < servers.Length; i++)
        {
            config.AddRange([$"frontend front{i}", $"  bind 127.0.0.1:{ports[i]}", $"  default_backend back{i}", $"backend back{i}", $"  {servers[i]}"]);
        }

        var path = Path.Combine(folder.Path, "haproxy.cfg");
        await File.WriteAllLinesAsync(path, config);
        var start = new ProcessStartInfo(Executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "-db", "-f", path })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        _ = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        var haproxy = new HaproxyProcess(process, folder);
        foreach (var port in ports)
        {
            if (!await AcceptsAsync(port, process))
            {
                await haproxy.DisposeAsync();
                Assert.Fail($"haproxy did not listen on {port} within 10 s: {await errors}");
            }
        }

        return (haproxy, ports);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }

        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        _process.Dispose();
        _folder.Dispose();
    }

    /// <summary>
    /// Waits until haproxy listens on <paramref name="port"/>, read from the kernel's socket table: a probe connection
    /// would be forwarded to a backend like a client's.
    /// </summary>
    private static async Task<bool> AcceptsAsync(int port, Process process)
    {
        var listening = FormattableString.Invariant($"0100007F:{port:X4} 00000000:0000 0A");
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline && !process.HasExited)
        {
            if ((await File.ReadAllTextAsync("/proc/net/tcp")).Contains(listening, StringComparison.Ordinal))
            {
                return true;
            }

            await Task.Delay(50); // polling a service that is starting; not synchronising with our own code
        }

        return false;
    }

    private static int FreePort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
