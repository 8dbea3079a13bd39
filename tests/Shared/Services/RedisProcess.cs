using System.Globalization;

namespace SocketKit.TestSupport.Services;

/// <summary>A real redis-server (Debian's package) on a loopback port, in memory only (no snapshot, no append-only file).</summary>
public sealed class RedisProcess(ServiceProcess service, int port) : IAsyncDisposable
{
    public const string Executable = "/usr/bin/redis-server";

    public int Port => port;

    /// <summary>Where clients connect: <c>127.0.0.1:PORT</c>.</summary>
    public string Address => $"127.0.0.1:{Port}";

    /// <summary>Starts redis-server on <paramref name="port"/> (a free one if not given: give the old one to restart it where clients expect it).</summary>
    public static async Task<RedisProcess> StartAsync(int? port = null)
    {
        ServiceProcess.Require(Executable, "redis-server");
        var chosen = port ?? ServiceProcess.FreePort();
        var redis = await ServiceProcess.StartAsync(Executable, folder =>
        [
            "--port", chosen.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--dir", folder, "--supervised", "systemd", "--daemonize", "no",
        ]);
        return new RedisProcess(redis, chosen);
    }

    /// <summary>Stops it by its PID (SIGTERM).</summary>
    public ValueTask DisposeAsync() => service.DisposeAsync();
}
