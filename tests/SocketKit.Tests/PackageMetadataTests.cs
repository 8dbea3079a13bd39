using System.Text.RegularExpressions;
using SocketKit.TestSupport;

namespace SocketKit.Tests;

/// <summary>The packages' version is set in one place and is the version CHANGELOG.md describes at its top.</summary>
public sealed partial class PackageMetadataTests
{
    [Fact]
    public void The_package_version_matches_the_top_changelog_entry()
    {
        var changelog = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "CHANGELOG.md"));

        var version = RepositoryRoot.VersionPrefix;
        var top = TopEntry().Match(changelog).Groups[1].Value;

        Assert.NotEmpty(version);
        Assert.Equal(version, top);
    }

    [Fact]
    public void Only_the_shared_props_set_a_version()
    {
        var projects = Directory.GetFiles(Path.Combine(RepositoryRoot.Path, "src"), "*.csproj", SearchOption.AllDirectories);

        Assert.All(projects, project => Assert.DoesNotMatch("<(Version|VersionPrefix|PackageVersion)>", File.ReadAllText(project)));
    }

    [GeneratedRegex(@"^## \[([^\]]+)\]", RegexOptions.Multiline)]
    private static partial Regex TopEntry();
}
