using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace SocketKit.TestSupport.Services;

/// <summary>
/// A real service (haproxy, redis-server) started by a test on free loopback ports, awaited through its own readiness
/// notification, and stopped by its PID.
/// </summary>
/// <remarks>
/// The service runs with systemd's notify protocol: once it is listening it sends <c>READY=1</c> to the datagram socket
/// named by <c>NOTIFY_SOCKET</c>, which the test holds. No probe connection is needed (haproxy would forward one to a
/// backend like a client's) and nothing is polled.
/// </remarks>
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _name;
    private readonly Task<string> _errors;
    private readonly TempDirectory _folder;

    private ServiceProcess(Process process, string name, Task<string> errors, TempDirectory folder)
    {
        _process = process;
        _name = name;
        _errors = errors;
        _folder = folder;
    }

    /// <summary>The service's process id.</summary>
    public int Id => _process.Id;

    /// <summary>A loopback port free at the time of asking (the service binds it right after).</summary>
    public static int FreePort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    /// <summary>Skips the test when <paramref name="executable"/> is missing (<c>.ci/run</c> installs it, so CI runs it).</summary>
    public static void Require(string executable, string package) =>
        Assert.SkipUnless(File.Exists(executable), $"{executable} is not installed (Debian package {package}; .ci/run installs it).");

    /// <summary>Starts <paramref name="executable"/> and returns once it has sent <c>READY=1</c>; fails the test if it exits first.</summary>
    /// <param name="executable">The program.</param>
    /// <param name="arguments">Its arguments, given a folder of the service's own (for its config and files), deleted when it stops.</param>
    public static async Task<ServiceProcess> StartAsync(string executable, Func<string, IEnumerable<string>> arguments)
    {
        var name = Path.GetFileName(executable);
        var folder = new TempDirectory();
        var notifyPath = Path.Combine(folder.Path, "notify.sock");
        using var notify = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        notify.Bind(new UnixDomainSocketEndPoint(notifyPath));
        var ready = WaitForReadyAsync(notify);

        var start = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.Environment["NOTIFY_SOCKET"] = notifyPath;
        foreach (var argument in arguments(folder.Path))
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        var service = new ServiceProcess(process, name, errors, folder);
        var first = await AsyncAssert.Within(Task.WhenAny(ready, process.WaitForExitAsync()), $"{name} to report READY=1 or exit");
        if (first != ready)
        {
            await service.DisposeAsync();
            Assert.Fail($"{name} exited before it was ready: {await output}{await errors}");
        }

        return service;
    }

    /// <summary>Stops the service with SIGTERM (a master process stops its workers too; SIGKILL would orphan them), waits for it, and deletes its folder.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            using var kill = Process.Start("kill", $"-TERM {_process.Id}");
            await kill.WaitForExitAsync();
        }

        await AsyncAssert.Within(_process.WaitForExitAsync(), $"{_name} to stop");
        await _errors;
        _process.Dispose();
        _folder.Dispose();
    }

    /// <summary>Completes when a notification carrying <c>READY=1</c> arrives (haproxy sends <c>RELOADING=1</c>, redis a STATUS first).</summary>
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
