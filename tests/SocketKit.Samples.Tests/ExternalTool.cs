using System.Diagnostics;

namespace SocketKit.Samples.Tests;

/// <summary>Runs a real client (curl, python3, chromium) to completion within a deadline, and fails loudly if it does not finish.</summary>
public static class ExternalTool
{
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(string file, IEnumerable<string> arguments, int seconds = 30)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(seconds));
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{file} {string.Join(' ', start.ArgumentList)} did not finish within {seconds} s.");
        }

        return (process.ExitCode, await output, await error);
    }

    /// <summary>
    /// socat as a client of <paramref name="target"/> (<c>TCP:127.0.0.1:PORT</c>, <c>UNIX-CONNECT:PATH</c>), the chat's "nc":
    /// its stdin and stdout are the test's to drive.
    /// </summary>
    public static Process StartSocat(string target)
    {
        var start = new ProcessStartInfo("socat") { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add("-");
        start.ArgumentList.Add(target);
        return Process.Start(start)!;
    }

    /// <summary>Debian's python3 (with python3-websockets), not a pyenv or venv one earlier on PATH.</summary>
    public const string Python = "/usr/bin/python3";

    /// <summary>
    /// Skips the test when a real peer is missing on this machine (a newcomer's <c>dotnet test</c> needs only the SDK);
    /// <c>.ci/run</c> installs every one, so CI runs them all.
    /// </summary>
    public static void Require(string tool, string package)
    {
        var found = Path.IsPathRooted(tool)
            ? File.Exists(tool)
            : (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Any(folder => File.Exists(Path.Combine(folder, tool)));
        Assert.SkipUnless(found, $"{tool} is not installed (Debian package {package}; .ci/run installs it).");
    }

    /// <summary>Skips unless Debian's python3 can import the websockets module.</summary>
    public static async Task RequirePythonWebSocketsAsync()
    {
        Require(Python, "python3");
        var (exit, _, _) = await RunAsync(Python, ["-c", "import websockets"]);
        Assert.SkipUnless(exit == 0, "python3-websockets is not installed (.ci/run installs it).");
    }
}
