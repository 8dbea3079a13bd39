using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using SocketKit.TestSupport;

namespace SocketKit.Tests;

/// <summary>
/// Every <c>```csharp</c> block of README.md, docs/ and the package READMEs compiles as written: each block on its own,
/// as a file of a fresh console project (the SDK's implicit usings, nullable on) that references SocketKit,
/// SocketKit.Hosting, SocketKit.Testing, the Generic Host and xunit. A snippet that needs a <c>using</c> shows it; it may
/// use the types (not the statements) that earlier snippets of the same page declared, as a reader following the page would.
/// </summary>
public sealed partial class DocumentationSnippetTests
{
    /// <summary>What <c>dotnet new console</c> imports implicitly.</summary>
    private const string ImplicitUsings = """
        global using global::System;
        global using global::System.Collections.Generic;
        global using global::System.IO;
        global using global::System.Linq;
        global using global::System.Net.Http;
        global using global::System.Threading;
        global using global::System.Threading.Tasks;
        """;

    private static readonly Lazy<MetadataReference[]> References = new(() =>
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToArray());

    /// <summary>
    /// The SDK's System.Text.Json source generator, run on each snippet as a build would (JSON snippets use a
    /// source-generated <c>JsonSerializerContext</c>).
    /// </summary>
    private static readonly Lazy<ISourceGenerator[]> Generators = new(() =>
    {
        var dotnetRoot = Path.GetFullPath(Path.Combine(System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        var generator = Directory.GetFiles(Path.Combine(dotnetRoot, "packs", "Microsoft.NETCore.App.Ref"), "System.Text.Json.SourceGeneration.dll", SearchOption.AllDirectories)
            .Where(path => path.Contains($"{Path.DirectorySeparatorChar}cs{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .OrderBy(path => Version.Parse(Path.GetRelativePath(Path.Combine(dotnetRoot, "packs", "Microsoft.NETCore.App.Ref"), path).Split(Path.DirectorySeparatorChar)[0].Split('-')[0]))
            .Last();
        return new Microsoft.CodeAnalysis.Diagnostics.AnalyzerFileReference(generator, new GeneratorAssemblyLoader()).GetGeneratorsForAllLanguages().ToArray();
    });

    public static TheoryData<string, int> Snippets()
    {
        var data = new TheoryData<string, int>();
        foreach (var (file, line, _) in FindSnippets())
        {
            data.Add(file, line);
        }

        return data;
    }

    [Fact]
    public void The_documentation_has_snippets_to_check()
    {
        var files = FindSnippets().Select(s => s.File).Distinct().ToArray();
        Assert.Contains("README.md", files);
        Assert.Contains("docs/getting-started.md", files);
        Assert.True(FindSnippets().Count() >= 20, "the extraction found too few snippets: is the fence pattern broken?");
    }

    [Theory]
    [MemberData(nameof(Snippets))]
    public void Every_csharp_snippet_compiles_as_written(string file, int line)
    {
        var page = FindSnippets().Where(s => s.File == file).ToArray();
        var code = page.Single(s => s.Line == line).Code;
        var options = new CSharpParseOptions(LanguageVersion.Preview);
        var tree = CSharpSyntaxTree.ParseText(code, options, path: $"{file}:{line}");
        var isProgram = tree.GetCompilationUnitRoot().Members.OfType<GlobalStatementSyntax>().Any();
        var earlierTypes = page.Where(s => s.Line < line).Select(s => DeclarationsOnly(CSharpSyntaxTree.ParseText(s.Code, options, path: $"{file}:{s.Line}")));
        var compilation = CSharpCompilation.Create(
            "Snippet",
            [tree, CSharpSyntaxTree.ParseText(ImplicitUsings, options), .. earlierTypes],
            References.Value,
            new CSharpCompilationOptions(isProgram ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

        CSharpGeneratorDriver.Create(Generators.Value)
            .WithUpdatedParseOptions(options)
            .RunGeneratorsAndUpdateCompilation(compilation, out var generated, out _);
        var errors = generated.GetDiagnostics()
            .Where(d => d.Severity == DiagnosticSeverity.Error)
            .Select(d => $"{file}:{line + d.Location.GetLineSpan().StartLinePosition.Line + 1}: {d.Id} {d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}")
            .ToArray();

        Assert.True(errors.Length == 0, $"The snippet at {file}:{line} does not compile:\n{string.Join('\n', errors)}\n---\n{code}");
    }

    /// <summary>A snippet without its top-level statements: the types it declares, for the snippets after it.</summary>
    private static SyntaxTree DeclarationsOnly(SyntaxTree snippet)
    {
        var root = snippet.GetCompilationUnitRoot();
        return snippet.WithRootAndOptions(root.RemoveNodes(root.Members.OfType<GlobalStatementSyntax>(), SyntaxRemoveOptions.KeepNoTrivia)!, snippet.Options);
    }

    private static IEnumerable<(string File, int Line, string Code)> FindSnippets()
    {
        var root = RepositoryRoot.Path;
        var files = new[] { Path.Combine(root, "README.md") }
            .Concat(Directory.GetFiles(Path.Combine(root, "docs"), "*.md", SearchOption.AllDirectories))
            .Concat(Directory.GetFiles(Path.Combine(root, "src"), "PACKAGE.md", SearchOption.AllDirectories))
            .Concat(Directory.GetFiles(Path.Combine(root, "samples"), "README.md", SearchOption.AllDirectories));
        foreach (var path in files.Order(StringComparer.Ordinal))
        {
            var text = File.ReadAllText(path).ReplaceLineEndings("\n");
            foreach (Match match in Fence().Matches(text))
            {
                var line = text.AsSpan(0, match.Index).Count('\n') + 1; // the fence's own line
                yield return (Path.GetRelativePath(root, path).Replace('\\', '/'), line, match.Groups["code"].Value);
            }
        }
    }

    /// <summary>Loads the generator (and what it needs) into the test's own load context.</summary>
    private sealed class GeneratorAssemblyLoader : Microsoft.CodeAnalysis.IAnalyzerAssemblyLoader
    {
        public void AddDependencyLocation(string fullPath)
        {
        }

        public System.Reflection.Assembly LoadFromPath(string fullPath) => System.Reflection.Assembly.LoadFrom(fullPath);
    }

    [GeneratedRegex(@"^```csharp[ \t]*\n(?<code>.*?)^```[ \t]*$", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex Fence();
}
