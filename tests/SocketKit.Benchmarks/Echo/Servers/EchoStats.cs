namespace SocketKit.Benchmarks.Echo.Servers;

/// <summary>Messages echoed by this process, for the allocation-per-message figure.</summary>
public static class EchoStats
{
    private static long s_messages;

    public static long Messages => Interlocked.Read(ref s_messages);

    public static void CountMessage() => Interlocked.Increment(ref s_messages);
}
