using System.CommandLine;
using System.Net.Sockets;

namespace SocketKit.Samples;

/// <summary>
/// How every sample runs its command line: what the machine or the user got wrong (a port already in use, a path that is
/// in the way, a refused option, a server that is not there) is told in one line on standard error, with exit code 1;
/// only a bug in the sample itself shows a stack trace.
/// </summary>
internal static class SampleCommandLine
{
    /// <summary>Invokes the parsed command with <paramref name="configuration"/> (its exception handler is replaced by this one).</summary>
    /// <param name="parsed">The command line.</param>
    /// <param name="configuration">How to invoke it.</param>
    /// <param name="isSettingsError">What else is the user's to fix, such as a hosted server's invalid configuration.</param>
    public static async Task<int> InvokeAsync(ParseResult parsed, InvocationConfiguration? configuration = null, Func<Exception, bool>? isSettingsError = null)
    {
        configuration ??= new InvocationConfiguration();
        configuration.EnableDefaultExceptionHandler = false;
        try
        {
            return await parsed.InvokeAsync(configuration);
        }
        catch (Exception e) when (e is SocketException or IOException or UnauthorizedAccessException or ArgumentException or PlatformNotSupportedException
            || isSettingsError?.Invoke(e) == true)
        {
            await Console.Error.WriteLineAsync($"{parsed.RootCommandResult.Command.Name}: {e.Message}");
            return 1;
        }
    }
}
