namespace SocketKit.Internal;

/// <summary>Bytes and messages a connection (or a server's connections) received and sent; application bytes, framing included.</summary>
internal readonly record struct TrafficCounts(long BytesIn, long MessagesIn, long BytesOut, long MessagesOut)
{
    public static TrafficCounts operator +(TrafficCounts a, TrafficCounts b) =>
        new(a.BytesIn + b.BytesIn, a.MessagesIn + b.MessagesIn, a.BytesOut + b.BytesOut, a.MessagesOut + b.MessagesOut);
}
