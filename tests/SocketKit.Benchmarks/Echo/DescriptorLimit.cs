using System.Runtime.InteropServices;

namespace SocketKit.Benchmarks.Echo;

/// <summary>Raises this process's open-descriptor limit (children inherit it): 10 000 idle connections need it.</summary>
public static partial class DescriptorLimit
{
    private const int RlimitNoFile = 7;

    /// <summary>Raises the soft limit to <paramref name="wanted"/>, or to the hard limit if that is lower; returns the new soft limit.</summary>
    public static ulong Raise(ulong wanted)
    {
        if (!OperatingSystem.IsLinux() || GetRLimit(RlimitNoFile, out var limit) != 0)
        {
            return 0;
        }

        if (limit.Current < wanted)
        {
            var raised = limit with { Current = Math.Min(wanted, limit.Maximum) };
            if (SetRLimit(RlimitNoFile, in raised) == 0)
            {
                return raised.Current;
            }
        }

        return limit.Current;
    }

    [LibraryImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    private static partial int GetRLimit(int resource, out RLimit limit);

    [LibraryImport("libc", EntryPoint = "setrlimit", SetLastError = true)]
    private static partial int SetRLimit(int resource, in RLimit limit);

    [StructLayout(LayoutKind.Sequential)]
    private record struct RLimit(ulong Current, ulong Maximum);
}
