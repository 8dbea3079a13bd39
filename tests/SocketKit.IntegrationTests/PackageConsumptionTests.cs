using System.Diagnostics;
using SocketKit.Codecs;
using SocketKit.Connections;
using SocketKit.IntegrationTests.Infrastructure;
using SocketKit.Tcp;

namespace SocketKit.IntegrationTests;

/// <summary>
/// SocketKit as a user gets it: packed into a folder feed under a version no cache has seen (<see cref="PackedFeed"/>),
/// referenced by version from fresh projects, built, and run: a console client against a server, and the hosting
/// guide's server made from <c>dotnet new worker</c>.
/// </summary>
[Collection(nameof(LeakTests))] // builds and runs processes: nothing else beside it
public sealed class PackageConsumptionTests(PackedFeed packed) : IClassFixture<PackedFeed>
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
        var feed = packed.Feed;
        var version = packed.Version;
        var app = Directory.CreateDirectory(Path.Combine(packed.Root, "app")).FullName;
        foreach (var project in PackedFeed.ShippingProjects)
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
        await Command.RunAsync("dotnet", ["build", "-c", "Release", "-o", Path.Combine(app, "out")], app);

        var options = new TcpServerOptions { EndPoints = { Loopback.Any4 } };
        await using var server = new TcpServer<string, string>(options, Codec.Lines(), new Echo());
        await server.StartAsync(TestContext.Current.CancellationToken);
        var output = await Command.RunAsync("dotnet", [Path.Combine(app, "out", "App.dll"), server.EndPoints[0].ToString()], app);

        Assert.Contains("reply: hello from a package", output);
        Assert.Equal(1, server.AcceptedConnections);
    }

    /// <summary>
    /// docs/hosting.md followed as written: <c>dotnet new worker</c>, <c>dotnet add package SocketKit.Hosting</c>, the
    /// template's Worker.cs removed, the page's Program.cs and appsettings.json (its endpoints moved to loopback port 0).
    /// The server takes its endpoints from the appsettings.json copied to the output folder, answers, and stops on SIGTERM.
    /// </summary>
    [Fact]
    public async Task The_hosting_guide_followed_as_written_builds_and_serves_from_appsettings_json()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS(), "the server is stopped with SIGTERM, a Unix signal");
        var guide = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot.Path, "docs", "hosting.md"), TestContext.Current.CancellationToken);
        var app = Path.Combine(packed.Root, "ChatServer");
        await Command.RunAsync("dotnet", ["new", "worker", "-n", "ChatServer", "-o", app], packed.Root);
        await Command.RunAsync("dotnet", ["add", "package", "SocketKit.Hosting", "--version", packed.Version], app);
        File.Delete(Path.Combine(app, "Worker.cs"));
        await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), Block(guide, "csharp"), TestContext.Current.CancellationToken);
        var settings = Block(guide, "json").Replace("\"0.0.0.0:5001\"", "\"127.0.0.1:0\"", StringComparison.Ordinal).Replace("\"[::]:5001\"", "\"127.0.0.1:0\"", StringComparison.Ordinal);
        Assert.Equal(2, settings.Split("127.0.0.1:0").Length - 1);
        await File.WriteAllTextAsync(Path.Combine(app, "appsettings.json"), settings, TestContext.Current.CancellationToken);
        var output = Path.Combine(app, "out");
        await Command.RunAsync("dotnet", ["build", "-c", "Release", "-o", output], app);
        Assert.True(File.Exists(Path.Combine(output, "appsettings.json")), "the worker template copies appsettings.json to the output folder");

        using var server = new Process { StartInfo = new ProcessStartInfo("dotnet", [Path.Combine(output, "ChatServer.dll")]) { WorkingDirectory = output, RedirectStandardOutput = true, UseShellExecute = false } };
        server.Start();
        try
        {
            string? line;
            do
            {
                line = await AsyncAssert.Within(server.StandardOutput.ReadLineAsync(TestContext.Current.CancellationToken).AsTask(), "the hosted server to log where it listens", 60);
                Assert.True(line is not null, "the hosted server ended before it listened");
            }
            while (!line.Contains("Listening on ", StringComparison.Ordinal));

            var endPoint = System.Net.IPEndPoint.Parse(line[(line.IndexOf("Listening on ", StringComparison.Ordinal) + "Listening on ".Length)..].Trim());
            Assert.Equal(System.Net.IPAddress.Loopback, endPoint.Address);
            await using (var client = await TcpConnector.ConnectAsync(endPoint, Codec.Lines(), cancellationToken: TestContext.Current.CancellationToken))
            {
                await client.SendAsync("hello", TestContext.Current.CancellationToken);
                await using var replies = client.ReadAllAsync(TestContext.Current.CancellationToken).GetAsyncEnumerator(TestContext.Current.CancellationToken);
                Assert.True(await AsyncAssert.Within(replies.MoveNextAsync().AsTask(), "the hosted server's reply"));
                Assert.Equal("[lobby] hello", replies.Current);
            }

            using (var kill = Process.Start("kill", $"-TERM {server.Id}"))
            {
                await AsyncAssert.Within(kill.WaitForExitAsync(TestContext.Current.CancellationToken), "kill");
            }

            await AsyncAssert.Within(server.WaitForExitAsync(TestContext.Current.CancellationToken), "the hosted server to stop on SIGTERM", 30);
            Assert.Equal(0, server.ExitCode);
        }
        finally
        {
            if (!server.HasExited)
            {
                server.Kill(entireProcessTree: true);
            }
        }
    }

    /// <summary>The first fenced block of <paramref name="language"/> on a page.</summary>
    private static string Block(string page, string language)
    {
        var text = page.ReplaceLineEndings("\n");
        var start = text.IndexOf($"```{language}\n", StringComparison.Ordinal) + language.Length + 4;
        return text[start..text.IndexOf("```", start, StringComparison.Ordinal)];
    }

    private static string ReadNuspec(string package)
    {
        using var zip = System.IO.Compression.ZipFile.OpenRead(package);
        var nuspec = zip.Entries.Single(entry => entry.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
        using var reader = new StreamReader(nuspec.Open());
        return reader.ReadToEnd();
    }

    private sealed class Echo : ConnectionHandler<string, string>
    {
        public override ValueTask OnMessageAsync(Connection<string, string> connection, string message, CancellationToken closing) =>
            connection.SendAsync(message, closing);
    }
}
