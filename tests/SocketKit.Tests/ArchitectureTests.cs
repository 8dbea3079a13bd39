using System.Text.RegularExpressions;

namespace SocketKit.Tests;

/// <summary>
/// The layering in DESIGN.md, checked on the source: folders are namespaces, dependencies point one way (transports and
/// codecs know nothing above them), no namespace cycle, and no source file over 15 KB.
/// </summary>
public partial class ArchitectureTests
{
    private const int MaxFileBytes = 15 * 1024;

    /// <summary>What each namespace of the core library may use. Anything else, or a namespace not listed, fails.</summary>
    private static readonly Dictionary<string, string[]> Allowed = new()
    {
        ["SocketKit"] = [],
        ["SocketKit.Internal"] = ["SocketKit"],
        ["SocketKit.Codecs"] = ["SocketKit"],
        ["SocketKit.Tls"] = ["SocketKit"],
        ["SocketKit.Proxy"] = ["SocketKit", "SocketKit.Codecs"],
        ["SocketKit.Transports"] = ["SocketKit", "SocketKit.Internal", "SocketKit.Tls"],
        ["SocketKit.Connections"] = ["SocketKit", "SocketKit.Internal", "SocketKit.Codecs", "SocketKit.Tls", "SocketKit.Proxy", "SocketKit.Transports"],
        ["SocketKit.Diagnostics"] = ["SocketKit", "SocketKit.Internal", "SocketKit.Connections"],
        ["SocketKit.Servers"] = ["SocketKit", "SocketKit.Internal", "SocketKit.Codecs", "SocketKit.Transports", "SocketKit.Connections"],
        ["SocketKit.Tcp"] = ["SocketKit", "SocketKit.Internal", "SocketKit.Codecs", "SocketKit.Tls", "SocketKit.Proxy", "SocketKit.Transports", "SocketKit.Connections", "SocketKit.Servers", "SocketKit.Diagnostics"],
        ["SocketKit.Requests"] = ["SocketKit", "SocketKit.Codecs", "SocketKit.Connections"],
        ["SocketKit.Udp"] = ["SocketKit", "SocketKit.Internal", "SocketKit.Codecs", "SocketKit.Transports", "SocketKit.Connections", "SocketKit.Servers", "SocketKit.Diagnostics"],
    };

    private static string Root => RepositoryRoot.Path;

    private static string CoreSource => Path.Combine(Root, "src", "SocketKit");

    [Fact]
    public void Every_namespace_uses_only_the_layers_below_it()
    {
        var violations = new List<string>();
        foreach (var (file, ns, uses) in CoreFiles())
        {
            if (!Allowed.TryGetValue(ns, out var allowed))
            {
                violations.Add($"{Relative(file)}: namespace {ns} has no place in the layering");
                continue;
            }

            violations.AddRange(uses.Where(u => u != ns && !allowed.Contains(u)).Select(u => $"{Relative(file)}: {ns} uses {u}"));
        }

        Assert.True(violations.Count == 0, string.Join(Environment.NewLine, violations));
    }

    [Fact]
    public void Folders_match_namespaces()
    {
        var mismatched = CoreFiles()
            .Where(f => f.Namespace != "SocketKit" + string.Concat(Path.GetRelativePath(CoreSource, Path.GetDirectoryName(f.File)!).Split(Path.DirectorySeparatorChar).Where(p => p != ".").Select(p => "." + p)))
            .Select(f => $"{Relative(f.File)} declares {f.Namespace}")
            .ToList();

        Assert.True(mismatched.Count == 0, string.Join(Environment.NewLine, mismatched));
    }

    [Fact]
    public void No_namespace_depends_on_itself_through_others()
    {
        var graph = CoreFiles()
            .GroupBy(f => f.Namespace)
            .ToDictionary(g => g.Key, g => g.SelectMany(f => f.Uses).Where(u => u != g.Key).ToHashSet());
        var cycles = new List<string>();
        foreach (var start in graph.Keys)
        {
            var path = new Stack<string>();
            FindCycle(start, start, graph, path, new HashSet<string>(), cycles);
        }

        Assert.True(cycles.Count == 0, "Namespace cycles: " + string.Join("; ", cycles.Distinct()));
    }

    [Fact]
    public void No_source_file_is_over_15_KB()
    {
        var large = Directory.EnumerateFiles(Path.Combine(Root, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !IsBuildOutput(f))
            .Select(f => new FileInfo(f))
            .Where(f => f.Length > MaxFileBytes)
            .Select(f => $"{Relative(f.FullName)}: {f.Length:N0} bytes")
            .ToList();

        Assert.True(large.Count == 0, "Split these into concern-named partials: " + string.Join(", ", large));
    }

    [Fact]
    public void The_rules_see_real_dependencies()
    {
        // A guard on the scanner itself: it must find what the code plainly uses.
        var connection = CoreFiles().Single(f => f.File.EndsWith(Path.Combine("Connections", "Connection.cs"), StringComparison.Ordinal));
        Assert.Contains("SocketKit.Transports", connection.Uses);
        Assert.Contains("SocketKit.Tls", connection.Uses); // written as Tls.TlsConnectionInfo, no using directive
        Assert.Contains("SocketKit.Codecs", connection.Uses);
    }

    private static void FindCycle(string start, string at, Dictionary<string, HashSet<string>> graph, Stack<string> path, HashSet<string> seen, List<string> cycles)
    {
        path.Push(at);
        foreach (var next in graph.GetValueOrDefault(at) ?? [])
        {
            if (next == start)
            {
                cycles.Add(string.Join(" -> ", path.Reverse().Append(start)));
            }
            else if (seen.Add(next))
            {
                FindCycle(start, next, graph, path, seen, cycles);
            }
        }

        path.Pop();
    }

    private static IEnumerable<(string File, string Namespace, HashSet<string> Uses)> CoreFiles()
    {
        var known = Allowed.Keys.Where(k => k != "SocketKit").Select(k => k["SocketKit.".Length..]).ToArray();
        foreach (var file in Directory.EnumerateFiles(CoreSource, "*.cs", SearchOption.AllDirectories).Where(f => !IsBuildOutput(f)))
        {
            var code = Comments().Replace(File.ReadAllText(file), string.Empty);
            var ns = FileNamespace().Match(code) is { Success: true } m ? m.Groups[1].Value : "(none)";
            var uses = new HashSet<string>();
            foreach (Match u in UsingDirective().Matches(code))
            {
                uses.Add(u.Groups[1].Value);
            }

            foreach (Match q in QualifiedName().Matches(code))
            {
                // SocketKit.X.Type, or X.Type resolved through the enclosing SocketKit namespace.
                var segment = q.Groups[1].Value;
                if (known.Contains(segment))
                {
                    uses.Add("SocketKit." + segment);
                }
            }

            yield return (file, ns, uses);
        }
    }

    private static bool IsBuildOutput(string path) =>
        path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
        || path.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal);

    private static string Relative(string path) => Path.GetRelativePath(Root, path);

    [GeneratedRegex(@"//[^\n]*|/\*.*?\*/|""(?:\\.|[^""\\\n])*""", RegexOptions.Singleline)]
    private static partial Regex Comments();

    [GeneratedRegex(@"^namespace\s+([\w.]+)\s*;", RegexOptions.Multiline)]
    private static partial Regex FileNamespace();

    [GeneratedRegex(@"^using\s+(?:static\s+)?(SocketKit(?:\.\w+)?)(?:\.[\w.]+)?\s*;", RegexOptions.Multiline)]
    private static partial Regex UsingDirective();

    [GeneratedRegex(@"(?<![\w.])(?:SocketKit\.)?([A-Z]\w*)\.[A-Z]\w*")]
    private static partial Regex QualifiedName();
}
