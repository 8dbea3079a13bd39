using FsCheck;
using FsCheck.Fluent;
using Microsoft.FSharp.Core;

namespace SocketKit.Tests.Infrastructure;

/// <summary>
/// Runs FsCheck properties the same way everywhere: 200 cases, a seed chosen per run and printed (set
/// SOCKETKIT_PROPERTY_SEED to replay one), failures shrunk and thrown with the seed in the message.
/// </summary>
public static class Properties
{
    public const int Cases = 200;

    public static void Check<T>(string name, Gen<T> generator, Func<T, bool> property)
    {
        var seed = ulong.TryParse(Environment.GetEnvironmentVariable("SOCKETKIT_PROPERTY_SEED"), out var fixedSeed)
            ? fixedSeed
            : (ulong)Random.Shared.NextInt64(long.MaxValue);
        TestContext.Current.TestOutputHelper?.WriteLine($"{name}: {Cases} cases, seed {seed} (replay with SOCKETKIT_PROPERTY_SEED={seed})");
        var config = Config.QuickThrowOnFailure
            .WithMaxTest(Cases)
            .WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(seed), FSharpOption<int>.None)));
        FsCheck.Check.One(name + $" (seed {seed})", config, Prop.ForAll(generator.ToArbitrary(), property));
    }

    public static Gen<byte> Byte { get; } = Gen.Choose(0, 255).Select(i => (byte)i);

    /// <summary>A byte array of 0 to <paramref name="maxLength"/> bytes.</summary>
    public static Gen<byte[]> Bytes(int maxLength) =>
        Gen.Choose(0, maxLength).SelectMany(length => Gen.ArrayOf(Byte, length));

    /// <summary>Up to 8 payloads of up to 512 bytes each: at most 4 KiB in all.</summary>
    public static Gen<byte[][]> Payloads(Gen<byte[]>? payload = null) =>
        Gen.Choose(0, 8).SelectMany(count => Gen.ArrayOf(payload ?? Bytes(512), count));

    /// <summary>Up to 16 places to cut a stream of at most 4 KiB (the driver ignores cuts past the end).</summary>
    public static Gen<int[]> Cuts { get; } =
        Gen.Choose(0, 16).SelectMany(count => Gen.ArrayOf(Gen.Choose(1, 4096), count)).Select(cuts => cuts.Order().ToArray());
}
