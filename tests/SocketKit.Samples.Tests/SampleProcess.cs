using System.Diagnostics;

namespace SocketKit.Samples.Tests;

/// <summary>A sample run as its users run it: its own process, stdin closed, stopped with SIGTERM.</summary>
public sealed class SampleProcess : IDisposable
{
    private readonly Process _process;
    private readonly System.Text.StringBuilder _error = new();

    private SampleProcess(Process process) => _process = process;

    /// <summary>Starts <c>dotnet SAMPLE.dll args...</c> from the test's output folder, with stdin closed at once.</summary>
    public static SampleProcess Start(string sample, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (OperatingSystem.IsLinux())
        {
            // As a service manager starts it: SIGINT and SIGQUIT at their default disposition. A test run started as a
            // background job of a script (the stress script, some CI runners) ignores both, and a child inherits that.
            start.FileName = "/usr/bin/env";
            start.ArgumentList.Add("--default-signal=INT,QUIT,TERM");
            start.ArgumentList.Add("dotnet");
        }

        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, sample + ".dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var process = new Process { StartInfo = start };
        var started = new SampleProcess(process);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (started._error)
                {
                    started._error.AppendLine(e.Data);
                }
            }
        };
        process.Start();
        process.BeginErrorReadLine(); // drained as it comes, so a sample that writes much there never blocks
        process.StandardInput.Close(); // no console: a sample that waited on ReadLine would exit at once
        return started;
    }

    /// <summary>What the sample wrote to standard error so far (all of it once <see cref="WaitForExitAsync"/> returned).</summary>
    public string Error
    {
        get
        {
            lock (_error)
            {
                return _error.ToString();
            }
        }
    }

    /// <summary>Reads output lines until one starts with <paramref name="prefix"/>, and returns it.</summary>
    public async Task<string> ReadLineStartingWithAsync(string prefix)
    {
        while (true)
        {
            var line = await _process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.True(line is not null, $"The sample ended before printing \"{prefix}...\".");
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                return line;
            }
        }
    }

    /// <summary>Sends SIGTERM, waits for the process to end, and returns its exit code and the rest of its output.</summary>
    public async Task<(int ExitCode, string Output)> TerminateAsync()
    {
        await SignalAsync("TERM");
        return await WaitForExitAsync();
    }

    /// <summary>Sends the signal named (<c>TERM</c>, <c>INT</c>, <c>QUIT</c>) with <c>kill</c>, as a service manager does.</summary>
    public async Task SignalAsync(string signal)
    {
        using var kill = Process.Start("kill", $"-{signal} {_process.Id}");
        await kill.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, kill.ExitCode);
    }

    /// <summary>Waits for the process to end, and returns its exit code and the rest of its output.</summary>
    public async Task<(int ExitCode, string Output)> WaitForExitAsync()
    {
        var rest = await _process.StandardOutput.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return (_process.ExitCode, rest);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }

        _process.Dispose();
    }
}
