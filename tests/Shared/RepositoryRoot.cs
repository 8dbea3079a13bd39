namespace SocketKit.TestSupport;

/// <summary>The checkout the tests run from: the folder above the test binaries that holds SocketKit.sln.</summary>
public static class RepositoryRoot
{
    public static string Path { get; } = Find();

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
