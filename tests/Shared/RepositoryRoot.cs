namespace SocketKit.TestSupport;

/// <summary>The checkout the tests run from: the folder above the test binaries that holds SocketKit.sln.</summary>
public static class RepositoryRoot
{
    public static string Path { get; } = Find();

    /// <summary>The packages' version prefix, set once in src/Directory.Build.props.</summary>
    public static string VersionPrefix =>
        System.Text.RegularExpressions.Regex.Match(File.ReadAllText(System.IO.Path.Combine(Path, "src", "Directory.Build.props")), "<VersionPrefix>([^<]+)</VersionPrefix>").Groups[1].Value;

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "SocketKit.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("SocketKit.sln not found above " + AppContext.BaseDirectory);
    }
}
