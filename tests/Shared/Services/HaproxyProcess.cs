namespace SocketKit.TestSupport.Services;

/// <summary>A real haproxy (Debian's package) in TCP mode, in master-worker mode (<c>-Ws</c>), from a config the test writes.</summary>
public sealed class HaproxyProcess : IAsyncDisposable
{
    private readonly ServiceProcess _service;
    private readonly TempDirectory _folder;

    private HaproxyProcess(ServiceProcess service, TempDirectory folder)
    {
        _service = service;
        _folder = folder;
    }

    public const string Executable = "/usr/sbin/haproxy";

    /// <summary>Starts haproxy with one TCP frontend per backend (e.g. <c>"server s 127.0.0.1:5000 send-proxy-v2"</c>, or several lines); returns it and each frontend's port.</summary>
    public static async Task<(HaproxyProcess Haproxy, int[] Ports)> StartAsync(params string[] backends)
    {
        ServiceProcess.Require(Executable, "haproxy");
        var folder = new TempDirectory();
        var ports = backends.Select(_ => ServiceProcess.FreePort()).ToArray();
        var config = new List<string>
        {
            "global", "  maxconn 1000",
            "defaults", "  mode tcp", "  timeout connect 5s", "  timeout client 30s", "  timeout server 30s",
        };
        for (var i = 0; i < backends.Length; i++)
        {
            config.AddRange([$"frontend front{i}", $"  bind 127.0.0.1:{ports[i]}", $"  default_backend back{i}", $"backend back{i}"]);
            config.AddRange(backends[i].Split('\n').Select(line => "  " + line));
        }

        var path = Path.Combine(folder.Path, "haproxy.cfg");
        await File.WriteAllLinesAsync(path, config);
        try
        {
            return (new HaproxyProcess(await ServiceProcess.StartAsync(Executable, ["-Ws", "-f", path], folder.Path), folder), ports);
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
