namespace SocketKit.TestSupport.Services;

/// <summary>A real haproxy (Debian's package) in TCP mode, in master-worker mode (<c>-Ws</c>), from a config the test writes.</summary>
public static class HaproxyProcess
{
    public const string Executable = "/usr/sbin/haproxy";

    /// <summary>Starts haproxy with one TCP frontend per backend (e.g. <c>"server s 127.0.0.1:5000 send-proxy-v2"</c>, or several lines); returns it and each frontend's port.</summary>
    public static async Task<(ServiceProcess Haproxy, int[] Ports)> StartAsync(params string[] backends)
    {
        ServiceProcess.Require(Executable, "haproxy");
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

        var haproxy = await ServiceProcess.StartAsync(Executable, folder =>
        {
            var path = Path.Combine(folder, "haproxy.cfg");
            File.WriteAllLines(path, config);
            return ["-Ws", "-f", path];
        });
        return (haproxy, ports);
    }
}
