using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace RemoteControl;

/// <summary>
/// What an agent will do, decided in code: no shell, no external program, nothing but these. Each command yields its
/// output line by line, so long output streams back as it is produced.
/// </summary>
public sealed class AgentCommands(string allowedFolder)
{
    public static IReadOnlyList<string> Names { get; } = ["uptime", "load", "memory", "disk", "processes", "tail", "ping"];

    public string AllowedFolder { get; } = Path.GetFullPath(allowedFolder);

    public IAsyncEnumerable<string> RunAsync(string command, IReadOnlyList<string> args, CancellationToken cancellationToken) => command switch
    {
        "uptime" => Lines($"up {TimeSpan.FromMilliseconds(Environment.TickCount64):d\\.hh\\:mm\\:ss}"),
        "load" => Lines(File.Exists("/proc/loadavg") ? $"load {File.ReadAllText("/proc/loadavg").Trim()}" : "load not available on this OS"),
        "memory" => Memory(),
        "disk" => Disk(),
        "processes" => Processes(),
        "tail" => TailAsync(args, cancellationToken),
        "ping" => Lines(FormattableString.Invariant($"pong {DateTimeOffset.UtcNow:O}")),
        _ => throw new RemoteControlException($"not allowed: {command} (allowed: {string.Join(", ", Names)})"),
    };

    private static async IAsyncEnumerable<string> Lines(params string[] lines)
    {
        foreach (var line in lines)
        {
            yield return line;
        }

        await Task.CompletedTask;
    }

    private static IAsyncEnumerable<string> Memory()
    {
        var gc = GC.GetGCMemoryInfo();
        var lines = new List<string> { FormattableString.Invariant($"available to this process: {gc.TotalAvailableMemoryBytes / 1048576} MiB") };
        if (File.Exists("/proc/meminfo"))
        {
            lines.AddRange(File.ReadLines("/proc/meminfo").Where(l => l.StartsWith("MemTotal", StringComparison.Ordinal) || l.StartsWith("MemAvailable", StringComparison.Ordinal)));
        }

        return Lines([.. lines]);
    }

    private static IAsyncEnumerable<string> Disk() => Lines([.. DriveInfo.GetDrives()
        .Where(d => d.IsReady && d.TotalSize > 0 && d.DriveType is DriveType.Fixed)
        .Select(d => FormattableString.Invariant($"{d.Name}: {d.AvailableFreeSpace / 1073741824.0:0.0} GiB free of {d.TotalSize / 1073741824.0:0.0} GiB"))]);

    private static IAsyncEnumerable<string> Processes()
    {
        var processes = Process.GetProcesses();
        try
        {
            return Lines([.. processes
                .Select(p => (p.Id, Name: SafeName(p), Memory: SafeMemory(p)))
                .OrderByDescending(p => p.Memory).Take(50)
                .Select(p => FormattableString.Invariant($"{p.Id,7} {p.Memory / 1048576,8} MiB  {p.Name}"))]);
        }
        finally
        {
            Array.ForEach(processes, p => p.Dispose());
        }

        static string SafeName(Process p)
        {
            try
            {
                return p.ProcessName;
            }
            catch (InvalidOperationException)
            {
                return "?"; // it ended meanwhile
            }
        }

        static long SafeMemory(Process p)
        {
            try
            {
                return p.WorkingSet64;
            }
            catch (InvalidOperationException)
            {
                return 0;
            }
        }
    }

    /// <summary>The last lines of a file under the allowed folder: <c>tail NAME [LINES]</c>, at most 1000 lines.</summary>
    private async IAsyncEnumerable<string> TailAsync(IReadOnlyList<string> args, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (args.Count is < 1 or > 2)
        {
            throw new RemoteControlException("usage: tail NAME [LINES]");
        }

        var count = args.Count == 2 && int.TryParse(args[1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is > 0 and <= 1000 ? n : 20;
        var path = Path.GetFullPath(Path.Combine(AllowedFolder, args[0]));
        if (!path.StartsWith(AllowedFolder + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new RemoteControlException($"outside the allowed folder: {args[0]}");
        }

        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new RemoteControlException($"no such file: {args[0]}");
        }

        if (info.ResolveLinkTarget(returnFinalTarget: true) is { } target && !target.FullName.StartsWith(AllowedFolder + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new RemoteControlException($"a link out of the allowed folder: {args[0]}");
        }

        var last = new Queue<string>(count);
        using var reader = new StreamReader(path);
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (last.Count == count)
            {
                last.Dequeue();
            }

            last.Enqueue(line);
        }

        foreach (var line in last)
        {
            yield return line;
        }
    }
}
