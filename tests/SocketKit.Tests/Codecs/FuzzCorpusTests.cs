using SocketKit.Fuzz;

namespace SocketKit.Tests.Codecs;

/// <summary>Every input in fuzz/corpus and fuzz/crashes, through the fuzzing target: none may crash it.</summary>
public sealed class FuzzCorpusTests
{
    private static string[] Files => Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "fuzz"));

    public static TheoryData<string> Inputs => new(Files.Select(Path.GetFileName).OfType<string>());

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Replays_without_a_crash(string name)
    {
        var input = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "fuzz", name));

        var error = Record.Exception(() => FuzzTarget.Run(input));

        Assert.Null(error);
    }

    [Fact]
    public void The_corpus_seeds_every_target()
    {
        var targets = Files.Select(File.ReadAllBytes).Where(input => input.Length >= 2).Select(input => input[0] % FuzzTarget.Targets).ToHashSet();

        Assert.Equal(Enumerable.Range(0, FuzzTarget.Targets), targets.Order());
    }
}
