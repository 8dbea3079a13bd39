using System.Buffers;

namespace SocketKit.Benchmarks;

/// <summary>Builds a two-segment sequence, as a frame split across two reads arrives.</summary>
public static class Segments
{
    public static ReadOnlySequence<byte> Split(ReadOnlyMemory<byte> bytes, int at)
    {
        var first = new Segment(bytes[..at], 0);
        var second = new Segment(bytes[at..], at);
        first.SetNext(second);
        return new ReadOnlySequence<byte>(first, 0, second, second.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public void SetNext(Segment next) => Next = next;
    }
}
