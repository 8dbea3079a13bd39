using System.Diagnostics;
using Spectre.Console;

namespace FileTransfer;

/// <summary>
/// Shows a transfer's progress: a Spectre.Console bar with bytes, rate and time left on an interactive console, plain
/// lines every two seconds (and at the end) when the output is redirected (a log, CI).
/// </summary>
public static class TransferProgress
{
    /// <summary>Runs <paramref name="transfer"/>, which reports each block of bytes it moved to the callback.</summary>
    public static async Task<T> RunAsync<T>(string description, long total, long already, TextWriter output, Func<Action<long>, Task<T>> transfer)
    {
        if (output == Console.Out && AnsiConsole.Profile.Capabilities.Interactive)
        {
            return await AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new DownloadedColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
                .StartAsync(async context =>
                {
                    var task = context.AddTask(description, maxValue: Math.Max(1, total));
                    task.Value = already;
                    return await transfer(bytes => task.Increment(bytes));
                });
        }

        var clock = Stopwatch.StartNew();
        var done = already;
        var lastReport = TimeSpan.Zero;
        var result = await transfer(bytes =>
        {
            done += bytes;
            if (clock.Elapsed - lastReport >= TimeSpan.FromSeconds(2))
            {
                lastReport = clock.Elapsed;
                output.WriteLine(Line(description, done, already, total, clock.Elapsed));
            }
        });
        output.WriteLine(Line(description, done, already, total, clock.Elapsed));
        return result;
    }

    private static string Line(string description, long done, long already, long total, TimeSpan elapsed)
    {
        var rate = (done - already) / Math.Max(elapsed.TotalSeconds, 0.001);
        var left = rate > 0 ? TimeSpan.FromSeconds((total - done) / rate) : TimeSpan.Zero;
        var percent = total == 0 ? 100 : 100.0 * done / total;
        var resumed = already > 0 ? FormattableString.Invariant($" (resumed at {already / 1048576.0:0.0} MiB)") : "";
        return FormattableString.Invariant($"{description}: {percent:0}% {done / 1048576.0:0.0} of {total / 1048576.0:0.0} MiB{resumed}, {rate / 1048576.0:0.0} MiB/s, {left:hh\\:mm\\:ss} left");
    }
}
