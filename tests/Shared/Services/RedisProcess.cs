namespace SocketKit.TestSupport.Services;

/// <summary>A real redis-server (Debian's package) on a loopback port, in memory only (no snapshot, no append-only file).</summary>
public sealed class RedisProcess : IAsyncDisposable
{
    private readonly ServiceProcess _service;
    private readonly TempDirectory _folder;

    private RedisProcess(ServiceProcess service, TempDirectory folder, int port)
    {
        _service = service;
        _folder = folder;
        Port = port;
    }

    public const string Executable = "/usr/bin/redis-server";

    public int Port { get; }

    /// <summary>Where clients connect: <c>127.0.0.1:PORT</c>.</summary>
    public string Address => $"127.0.0.1:{Port}";

    /// <summary>Starts redis-server on <paramref name="port"/> (a free one if not given: give the old one to restart it where clients expect it).</summary>
    public static async Task<RedisProcess> StartAsync(int? port = null)
    {
        ServiceProcess.Require(Executable, "redis-server");
        var folder = new TempDirectory();
        var chosen = port ?? ServiceProcess.FreePort();
        string[] arguments =
        [
            "--port", chosen.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--dir", folder.Path, "--supervised", "systemd", "--daemonize", "no",
        ];
        try
        {
            return new RedisProcess(await ServiceProcess.StartAsync(Executable, arguments, folder.Path), folder, chosen);
        }
        catch
        {
            folder.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _service.DisposeAsync();
        _folder.Dispose();
    }
}
