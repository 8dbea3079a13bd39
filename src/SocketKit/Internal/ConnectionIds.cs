namespace SocketKit.Internal;

/// <summary>Process-unique connection ids, shared by every connection type.</summary>
internal static class ConnectionIds
{
    private static long s_last;

    public static long Next() => Interlocked.Increment(ref s_last);
}
