namespace SocketKit.Benchmarks.Echo;

/// <summary>Echoes counted so far by a running load generator, readable while it runs (at the window's edges).</summary>
public sealed class EchoProgress
{
    private long _echoed;

    public long Echoed => Interlocked.Read(ref _echoed);

    internal void Count() => Interlocked.Increment(ref _echoed);
}
