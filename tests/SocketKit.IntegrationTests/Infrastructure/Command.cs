using System.Diagnostics;

namespace SocketKit.IntegrationTests.Infrastructure;

/// <summary>Runs the tools a user runs (dotnet pack, new, add package, build) as processes of their own.</summary>
public static class Command
{
    /// <summary>Runs a command to completion (within five minutes); fails with its output if it exits non-zero.</summary>
    public static async Task<string> RunAsync(string file, string[] arguments, string directory)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        try
        {
            await AsyncAssert.Within(process.WaitForExitAsync(TestContext.Current.CancellationToken), $"{file} {string.Join(' ', arguments)}", 300);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        var output = await stdout + await stderr;
        Assert.True(process.ExitCode == 0, $"{file} {string.Join(' ', arguments)} exited with {process.ExitCode}:\n{output}");
        return output;
    }
}
