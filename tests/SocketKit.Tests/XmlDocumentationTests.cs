using System.Xml.Linq;

namespace SocketKit.Tests;

/// <summary>
/// The XML documentation files the packages ship, as IntelliSense and the API reference read them. The compiler merges
/// the doc comments of a partial type's declarations, so a second <c>///</c> summary on a partial file would be shown
/// after (or instead of) the type's own.
/// </summary>
public sealed class XmlDocumentationTests
{
    public static TheoryData<string> Packages() => new("SocketKit", "SocketKit.Hosting", "SocketKit.Testing");

    [Theory]
    [MemberData(nameof(Packages))]
    public void Every_type_has_exactly_one_summary(string package)
    {
        var file = Path.Combine(AppContext.BaseDirectory, package + ".xml");
        Assert.True(File.Exists(file), $"{file} was not built: is GenerateDocumentationFile on?");
        var types = XDocument.Load(file).Descendants("member").Where(m => ((string?)m.Attribute("name"))?.StartsWith("T:", StringComparison.Ordinal) == true).ToArray();

        Assert.NotEmpty(types);
        var wrong = types.Where(t => t.Elements("summary").Count() != 1).Select(t => $"{(string?)t.Attribute("name")}: {t.Elements("summary").Count()} summaries");
        Assert.Empty(wrong);
    }
}
