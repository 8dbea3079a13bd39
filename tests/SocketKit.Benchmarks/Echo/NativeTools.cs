using System.Diagnostics;

namespace SocketKit.Benchmarks.Echo;

/// <summary>
/// The benchmark's C programs (<c>Echo/Native/*.c</c>), built with gcc on first use: the epoll echo server, the floor of
/// the comparison, and the load generator, which costs the least per message so the server's cost is what is measured.
/// The TLS load generator is the same source built with <c>-DECHO_TLS</c> against OpenSSL (needs libssl-dev).
/// </summary>
public static class NativeTools
{
    /// <summary>The C echo's name among the servers.</summary>
    public const string EchoServer = "c-epoll";

    private static readonly Lazy<string> Server = new(() => Build("echo_epoll"));
    private static readonly Lazy<string> Load = new(() => Build("echo_load"));
    private static readonly Lazy<string> TlsLoad = new(() => Build("echo_load", "-tls", "-DECHO_TLS", "-lssl", "-lcrypto"));

    /// <summary>The built C echo server.</summary>
    public static string EchoServerExecutable => Server.Value;

    /// <summary>The built C load generator.</summary>
    public static string LoadGeneratorExecutable => Load.Value;

    /// <summary>The built C load generator that speaks TLS 1.3 (OpenSSL).</summary>
    public static string TlsLoadGeneratorExecutable => TlsLoad.Value;

    private static string Build(string name, string variant = "", params string[] options)
    {
        var source = Path.Combine(AppContext.BaseDirectory, "Echo", "Native", name + ".c");
        var output = Path.Combine(Path.GetTempPath(), $"socketkit-{name}{variant}-{Environment.ProcessId}");
        var gcc = new ProcessStartInfo("gcc") { RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "-O2", "-Wall", "-o", output, source }.Concat(options))
        {
            gcc.ArgumentList.Add(argument);
        }

        using var process = Process.Start(gcc) ?? throw new InvalidOperationException("gcc did not start (the echo benchmark needs gcc)");
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? output : throw new InvalidOperationException($"gcc failed to build {name}.c: {errors}");
    }
}
