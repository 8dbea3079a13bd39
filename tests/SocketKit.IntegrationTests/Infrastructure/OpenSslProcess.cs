using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace SocketKit.IntegrationTests.Infrastructure;

/// <summary>An openssl command line tool (s_server or s_client) as a real TLS peer; ended by its PID on dispose.</summary>
public sealed class OpenSslProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource _sawMarker = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string? _marker;

    private OpenSslProcess(IEnumerable<string> arguments, string? marker)
    {
        _marker = marker;
        var info = new ProcessStartInfo("openssl")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        _process = new Process { StartInfo = info };
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public static bool IsAvailable { get; } = Probe();

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public StreamWriter Input => _process.StandardInput;

    /// <summary>Starts <c>openssl</c> with <paramref name="arguments"/>; <see cref="WhenSeenAsync"/> completes when <paramref name="marker"/> is printed.</summary>
    public static OpenSslProcess Start(string? marker, params string[] arguments) => new(arguments, marker);

    public Task WhenSeenAsync(string what) => AsyncAssert.Within(_sawMarker.Task, what);

    public Task WhenExitedAsync(string what) => AsyncAssert.Within(_process.WaitForExitAsync(), what);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true); // by its PID
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }

        if (_marker is not null && line.Contains(_marker, StringComparison.Ordinal))
        {
            _sawMarker.TrySetResult();
        }
    }

    private static bool Probe()
    {
        try
        {
            using var version = Process.Start(new ProcessStartInfo("openssl", "version") { RedirectStandardOutput = true, UseShellExecute = false });
            return version is not null && version.WaitForExit(10_000) && version.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
