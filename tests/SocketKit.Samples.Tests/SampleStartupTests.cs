using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace SocketKit.Samples.Tests;

/// <summary>
/// A sample that cannot start says why in one line on standard error and exits with 1: no stack trace for what the
/// machine or the user got wrong (a port already in use, a socket path taken by a regular file).
/// </summary>
[Collection(nameof(SampleTests))]
public class SampleStartupTests
{
    /// <remarks>
    /// A server in the Generic Host (<paramref name="hosted"/>) also has the host log its failed start, exception and all,
    /// as every hosted .NET app does: that goes to the log (standard output), and the line on standard error is the same.
    /// </remarks>
    [Theory]
    [InlineData("Echo", false, "server")]
    [InlineData("Echo", true, "hosted")]
    [InlineData("Chat", true, "server")]
    [InlineData("FileTransfer", false, "serve", "--root", "{folder}")]
    [InlineData("RemoteControl", false, "agent", "--key-file", "{folder}/key", "--allow", "{folder}")]
    [InlineData("HttpServer", false)]
    public async Task A_server_whose_port_is_in_use_says_so_in_one_line_and_exits_with_1(string sample, bool hosted, params string[] arguments)
    {
        using var folder = new TempDirectory();
        using var holder = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        holder.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        holder.Listen();
        var taken = (IPEndPoint)holder.LocalEndPoint!;

        using var process = SampleProcess.Start(sample,
            [.. arguments.Select(a => a.Replace("{folder}", folder.Path, StringComparison.Ordinal)), "--port", taken.Port.ToString(CultureInfo.InvariantCulture)]);
        var (exitCode, output) = await process.WaitForExitAsync();

        Assert.Equal(1, exitCode);
        var error = Assert.Single(process.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith($"{sample}: Cannot bind TCP {taken}: the address is already in use", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", output, StringComparison.Ordinal);
        if (!hosted)
        {
            Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task An_echo_server_on_a_unix_socket_path_that_is_a_regular_file_says_so_in_one_line_and_exits_with_1()
    {
        using var folder = new TempDirectory();
        var path = Path.Combine(folder.Path, "not-a-socket");
        await File.WriteAllTextAsync(path, "keep me", TestContext.Current.CancellationToken);

        using var process = SampleProcess.Start("Echo", ["server", "--unix", path]);
        var (exitCode, _) = await process.WaitForExitAsync();

        Assert.Equal(1, exitCode);
        Assert.Equal($"Echo: Cannot listen on {path}: the path exists and is not a socket. Remove it or choose another path.", process.Error.Trim());
        Assert.Equal("keep me", await File.ReadAllTextAsync(path, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_hosted_server_with_a_misspelled_setting_says_so_in_one_line_and_exits_with_1()
    {
        using var process = SampleProcess.Start("Echo", ["hosted", "--port", "0"], new Dictionary<string, string> { ["SocketKit__Echo__Maxconnectons"] = "3" });
        var (exitCode, output) = await process.WaitForExitAsync();

        Assert.Equal(1, exitCode);
        Assert.Equal("Echo: SocketKit server 'echo': SocketKit:Echo:Maxconnectons is not a setting of a TCP server. Its settings are: " +
            "EndPoints, DualMode, Backlog, MaxConnections, MaxConnectionsPerAddress, MaxAcceptsPerSecond, DrainTimeout, TickInterval, Socket, Connection.",
            process.Error.Trim());
        Assert.DoesNotContain("Unhandled exception", output, StringComparison.Ordinal);
    }
}
