using System.Buffers;

namespace SocketKit.Testing;

/// <summary>
/// Builds a <see cref="ReadOnlySequence{T}"/> of several segments, as a pipe holds bytes that arrived in several reads:
/// test your message decoders and framers across segment boundaries, not only on one array.
/// </summary>
public static class SegmentedSequence
{
    /// <summary>A sequence with one segment per non-empty array, in order.</summary>
    /// <param name="segments">The segments' bytes.</param>
    /// <returns>The sequence (empty if every array is).</returns>
    public static ReadOnlySequence<byte> Create(IReadOnlyList<byte[]> segments)
    {
        ArgumentNullException.ThrowIfNull(segments);
        var nonEmpty = segments.Where(s => s.Length > 0).ToList();
        if (nonEmpty.Count == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        var first = new Segment(nonEmpty[0], 0);
        var last = first;
        foreach (var bytes in nonEmpty.Skip(1))
        {
            last = last.Append(bytes);
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
