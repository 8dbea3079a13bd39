using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace SocketKit.IntegrationTests.Infrastructure;

/// <summary>
/// A real haproxy (Debian's package) in TCP mode, started by the test on free loopback ports from a config it writes,
/// awaited through its own readiness notification, and stopped by its PID.
/// </summary>
/// <remarks>
/// haproxy runs in master-worker mode with systemd's notify protocol (<c>-Ws</c>): once its listeners are bound it sends
/// <c>READY=1</c> to the datagram socket named by <c>NOTIFY_SOCKET</c>, which the test holds. No probe connection is
/// needed (haproxy would forward one to a backend like a client's) and nothing is polled.
/// </remarks>
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
        var ports = servers.Select(_ => Loopback.FreePort()).ToArray();
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
        var notifyPath = Path.Combine(folder.Path, "notify.sock");
        using var notify = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        notify.Bind(new UnixDomainSocketEndPoint(notifyPath));
        var ready = WaitForReadyAsync(notify);

        var start = new ProcessStartInfo(Executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.Environment["NOTIFY_SOCKET"] = notifyPath;
        foreach (var argument in new[] { "-Ws", "-f", path })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        _ = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        var haproxy = new HaproxyProcess(process, folder);
        var first = await AsyncAssert.Within(Task.WhenAny(ready, process.WaitForExitAsync()), "haproxy to report READY=1 or exit");
        if (first != ready)
        {
            await haproxy.DisposeAsync();
            Assert.Fail($"haproxy exited before it was ready: {await errors}");
        }

        return (haproxy, ports);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            // SIGTERM to the master stops its workers too (SIGKILL would orphan them, still holding the ports).
            using var kill = Process.Start("kill", $"-TERM {_process.Id}");
            await kill.WaitForExitAsync();
        }

        await AsyncAssert.Within(_process.WaitForExitAsync(), "haproxy to stop");
        _process.Dispose();
        _folder.Dispose();
    }

    /// <summary>Completes when a notification carrying <c>READY=1</c> arrives (<c>RELOADING=1</c> comes first).</summary>
    private static async Task WaitForReadyAsync(Socket notify)
    {
        var buffer = new byte[4096];
        while (true)
        {
            var received = await notify.ReceiveAsync(buffer, SocketFlags.None);
            if (Encoding.ASCII.GetString(buffer, 0, received).Split('\n').Contains("READY=1"))
            {
                return;
            }
        }
    }
}
