using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.Extensions.DependencyModel;
using SocketKit.TestSupport;

namespace SocketKit.Tests;

/// <summary>
/// Every <c>```csharp</c> block of README.md, docs/ and the package READMEs compiles as written: each block on its own,
/// as a file of the project its page starts from (<c>dotnet new console</c> unless it says <c>dotnet new worker</c>: the
/// template's implicit usings, nullable on), referencing exactly the packages the page names with
/// <c>dotnet add package</c> (and their dependencies), as a reader following the page would have. A snippet that needs a
/// <c>using</c> shows it; it may use the types (not the statements) that earlier snippets of the same page declared.
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

    /// <summary>What a <c>dotnet new worker</c> project (Microsoft.NET.Sdk.Worker) imports implicitly besides.</summary>
    private const string WorkerImplicitUsings = """
        global using global::Microsoft.Extensions.Configuration;
        global using global::Microsoft.Extensions.DependencyInjection;
        global using global::Microsoft.Extensions.Hosting;
        global using global::Microsoft.Extensions.Logging;
        """;

    /// <summary>The packages a project template brings.</summary>
    private static readonly Dictionary<string, string[]> TemplatePackages = new(StringComparer.Ordinal)
    {
        ["console"] = [],
        ["worker"] = ["Microsoft.Extensions.Hosting"],
    };

    private static readonly Lazy<string[]> TrustedAssemblies = new(() => ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator));

    /// <summary>The shared framework's assemblies: what every project references.</summary>
    private static readonly Lazy<string[]> FrameworkAssemblies = new(() =>
    {
        var framework = Path.GetFullPath(System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory());
        return [.. TrustedAssemblies.Value.Where(path => Path.GetFullPath(path).StartsWith(framework, StringComparison.Ordinal))];
    });

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
        var (template, packages) = ProjectOf(file);
        Assert.True(packages.Length > 0, $"{file} shows C# but names no package: say which, as `dotnet add package SocketKit`.");
        var options = new CSharpParseOptions(LanguageVersion.Preview);
        var tree = CSharpSyntaxTree.ParseText(code, options, path: $"{file}:{line}");
        var isProgram = tree.GetCompilationUnitRoot().Members.OfType<GlobalStatementSyntax>().Any();
        var earlierTypes = page.Where(s => s.Line < line).Select(s => DeclarationsOnly(CSharpSyntaxTree.ParseText(s.Code, options, path: $"{file}:{s.Line}")));
        var implicitUsings = template == "worker" ? ImplicitUsings + "\n" + WorkerImplicitUsings : ImplicitUsings;
        var compilation = CSharpCompilation.Create(
            "Snippet",
            [tree, CSharpSyntaxTree.ParseText(implicitUsings, options), .. earlierTypes],
            ReferencesFor(file, [.. packages, .. TemplatePackages[template]]),
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

    [Fact]
    public void A_page_is_compiled_against_the_packages_it_names_and_no_other()
    {
        // getting-started names SocketKit alone: the Generic Host, which this test project also references, is not there.
        var references = ReferencesFor("docs/getting-started.md", ProjectOf("docs/getting-started.md").Packages).Select(r => Path.GetFileName(r.Display)).ToArray();
        Assert.Contains("SocketKit.dll", references);
        Assert.Contains("System.Runtime.dll", references);
        Assert.DoesNotContain("Microsoft.Extensions.Hosting.dll", references);
        Assert.DoesNotContain("SocketKit.Hosting.dll", references);
        Assert.Equal("worker", ProjectOf("docs/hosting.md").Template);
        Assert.Equal(["SocketKit.Hosting"], ProjectOf("docs/hosting.md").Packages);
    }

    /// <summary>The project template a page starts from (<c>dotnet new TEMPLATE</c>) and the packages it adds (<c>dotnet add package ID</c>).</summary>
    private static (string Template, string[] Packages) ProjectOf(string file)
    {
        var text = File.ReadAllText(Path.Combine(RepositoryRoot.Path, file));
        var template = NewProject().Match(text) is { Success: true } project ? project.Groups["template"].Value : "console";
        return (template, [.. AddPackage().Matches(text).Select(m => m.Groups["id"].Value).Distinct(StringComparer.OrdinalIgnoreCase)]);
    }

    /// <summary>
    /// The framework's assemblies and those of <paramref name="packages"/> and everything they depend on, found through
    /// this test project's own .deps.json (which references every package a page may name).
    /// </summary>
    private static MetadataReference[] ReferencesFor(string file, IEnumerable<string> packages)
    {
        var context = DependencyContext.Default!;
        var libraries = context.RuntimeLibraries.ToDictionary(library => library.Name, StringComparer.OrdinalIgnoreCase);
        var closure = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var pending = new Stack<string>(packages);
        foreach (var named in pending)
        {
            Assert.True(libraries.ContainsKey(named), $"{file} names the package {named}, which the snippet test does not know: reference it in SocketKit.Tests.csproj.");
        }

        while (pending.TryPop(out var name))
        {
            if (libraries.TryGetValue(name, out var library) && closure.Add(name)) // a dependency the framework provides has no entry
            {
                foreach (var dependency in library.Dependencies)
                {
                    pending.Push(dependency.Name);
                }
            }
        }

        var assemblies = closure.SelectMany(name => libraries[name].GetDefaultAssemblyNames(context)).Select(name => name.Name + ".dll").ToHashSet(StringComparer.OrdinalIgnoreCase);
        return [.. FrameworkAssemblies.Value.Concat(TrustedAssemblies.Value.Where(path => assemblies.Contains(Path.GetFileName(path))))
            .Distinct(StringComparer.Ordinal)
            .Select(path => MetadataReference.CreateFromFile(path))];
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

    [GeneratedRegex(@"dotnet add package (?<id>[A-Za-z0-9_.\-]+)")]
    private static partial Regex AddPackage();

    [GeneratedRegex(@"dotnet new (?<template>console|worker)\b")]
    private static partial Regex NewProject();
}
