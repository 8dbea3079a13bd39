namespace SocketKit.IntegrationTests.Infrastructure;

/// <summary>
/// The three packages packed once into a folder feed, under a version no cache has seen, with a nuget.config beside it
/// that adds the folder and keeps the machine's own source: what a project under <see cref="Root"/> restores from.
/// </summary>
public sealed class PackedFeed : IAsyncLifetime
{
    public static readonly string[] ShippingProjects = ["SocketKit", "SocketKit.Hosting", "SocketKit.Testing"];

    private readonly TempDirectory _directory = new();

    /// <summary>A folder for projects: its nuget.config finds the feed.</summary>
    public string Root => _directory.Path;

    public string Feed => Path.Combine(Root, "feed");

    public string Version { get; } = $"{RepositoryRoot.VersionPrefix}-test.{Guid.NewGuid().ToString("N")[..12]}";

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(Feed);
        foreach (var project in ShippingProjects)
        {
            await Command.RunAsync("dotnet",
                ["pack", Path.Combine(RepositoryRoot.Path, "src", project, project + ".csproj"), "-c", "Release", "-o", Feed, $"-p:VersionSuffix={Version[(RepositoryRoot.VersionPrefix.Length + 1)..]}"],
                RepositoryRoot.Path);
        }

        await File.WriteAllTextAsync(Path.Combine(Root, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="socketkit-under-test" value="{Feed}" />
              </packageSources>
            </configuration>
            """);
    }

    public ValueTask DisposeAsync()
    {
        _directory.Dispose();
        return ValueTask.CompletedTask;
    }
}
