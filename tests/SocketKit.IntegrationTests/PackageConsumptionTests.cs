using System.Diagnostics;
using SocketKit.Codecs;
using SocketKit.Connections;
using SocketKit.IntegrationTests.Infrastructure;
using SocketKit.Tcp;

namespace SocketKit.IntegrationTests;

/// <summary>
/// SocketKit as a user gets it: packed into a folder feed under a version no cache has seen, referenced by version
/// from a fresh console project (its nuget.config adds the folder and keeps the machine's own source), built, and run
/// against a server.
/// </summary>
[Collection(nameof(LeakTests))] // builds and runs processes: nothing else beside it
public sealed class PackageConsumptionTests
{
    private const string ClientProgram = """
        using System.Net;
        using SocketKit.Codecs;
        using SocketKit.Tcp;

        await using var connection = await TcpConnector.ConnectAsync(IPEndPoint.Parse(args[0]), Codec.Lines());
        await connection.SendAsync("hello from a package");
        await foreach (var reply in connection.ReadAllAsync())
        {
            Console.WriteLine("reply: " + reply);
            break;
        }
        """;

    [Fact]
    public async Task A_fresh_project_builds_against_the_packed_library_and_talks_to_a_server()
    {
        using var directory = new TempDirectory();
        var feed = Directory.CreateDirectory(Path.Combine(directory.Path, "feed")).FullName;
        var app = Directory.CreateDirectory(Path.Combine(directory.Path, "app")).FullName;
        var suffix = "test." + Guid.NewGuid().ToString("N")[..12];
        var root = RepositoryRoot.Path;

        foreach (var project in ShippingProjects)
        {
            await RunAsync("dotnet", ["pack", Path.Combine(root, "src", project, project + ".csproj"), "-c", "Release", "-o", feed, $"-p:VersionSuffix={suffix}"], root);
        }

        var package = Path.Combine(feed, $"SocketKit.{RepositoryRoot.VersionPrefix}-{suffix}.nupkg");
        var version = Path.GetFileNameWithoutExtension(package)["SocketKit.".Length..];
        foreach (var project in ShippingProjects)
        {
            Assert.True(File.Exists(Path.Combine(feed, $"{project}.{version}.nupkg")), $"{project} {version} was packed");
            Assert.True(File.Exists(Path.Combine(feed, $"{project}.{version}.snupkg")), $"{project} {version} has a symbol package");
            // SourceLink: the symbols map every source file to the repository at the commit built.
            using (var symbols = System.IO.Compression.ZipFile.OpenRead(Path.Combine(feed, $"{project}.{version}.snupkg")))
            using (var pdb = new MemoryStream())
            {
                await symbols.Entries.Single(entry => entry.FullName.EndsWith($"{project}.pdb", StringComparison.Ordinal)).Open().CopyToAsync(pdb, TestContext.Current.CancellationToken);
                Assert.Contains("https://raw.githubusercontent.com/socketkit/socketkit/", System.Text.Encoding.UTF8.GetString(pdb.ToArray()));
            }

            if (project != "SocketKit")
            {
                // One version for all: each companion package depends on exactly its own SocketKit.
                Assert.Contains($"<dependency id=\"SocketKit\" version=\"[{version}]\"", ReadNuspec(Path.Combine(feed, $"{project}.{version}.nupkg")));
            }
        }

        await File.WriteAllTextAsync(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="socketkit-under-test" value="{feed}" />
              </packageSources>
            </configuration>
            """, TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(Path.Combine(app, "App.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="SocketKit" Version="{version}" />
              </ItemGroup>
            </Project>
            """, TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), ClientProgram, TestContext.Current.CancellationToken);
        await RunAsync("dotnet", ["build", "-c", "Release", "-o", Path.Combine(app, "out")], app);

        var options = new TcpServerOptions { EndPoints = { Loopback.Any4 } };
        await using var server = new TcpServer<string, string>(options, Codec.Lines(), new Echo());
        await server.StartAsync(TestContext.Current.CancellationToken);
        var output = await RunAsync("dotnet", [Path.Combine(app, "out", "App.dll"), server.EndPoints[0].ToString()], app);

        Assert.Contains("reply: hello from a package", output);
        Assert.Equal(1, server.AcceptedConnections);
    }

    private static readonly string[] ShippingProjects = ["SocketKit", "SocketKit.Hosting", "SocketKit.Testing"];

    private static string ReadNuspec(string package)
    {
        using var zip = System.IO.Compression.ZipFile.OpenRead(package);
        var nuspec = zip.Entries.Single(entry => entry.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
        using var reader = new StreamReader(nuspec.Open());
        return reader.ReadToEnd();
    }

    /// <summary>Runs a command to completion (within five minutes); fails with its output if it exits non-zero.</summary>
    private static async Task<string> RunAsync(string file, string[] arguments, string directory)
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

    private sealed class Echo : ConnectionHandler<string, string>
    {
        public override ValueTask OnMessageAsync(Connection<string, string> connection, string message, CancellationToken closing) =>
            connection.SendAsync(message, closing);
    }
}
