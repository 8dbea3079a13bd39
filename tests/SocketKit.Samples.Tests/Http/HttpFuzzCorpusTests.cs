using SocketKit.Fuzz;

namespace SocketKit.Samples.Tests.Http;

/// <summary>Every input in fuzz/http/corpus and fuzz/http/crashes, through the HTTP fuzzing harness: none may crash it.</summary>
public sealed class HttpFuzzCorpusTests
{
    private static string[] Files => Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "fuzz-http"));

    public static TheoryData<string> Inputs => new(Files.Select(Path.GetFileName).OfType<string>());

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Replays_without_a_crash(string name)
    {
        var input = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "fuzz-http", name));

        Assert.Null(Record.Exception(() => HttpFuzzTarget.Run(input)));
    }

    [Fact]
    public void The_corpus_seeds_both_parsers()
    {
        var targets = Files.Select(File.ReadAllBytes).Where(input => input.Length >= 2).Select(input => input[0] % HttpFuzzTarget.Targets).ToHashSet();

        Assert.Equal([0, 1], targets.Order());
    }
}
