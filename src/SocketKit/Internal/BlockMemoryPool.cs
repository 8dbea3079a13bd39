using System.Buffers;
using System.Collections.Concurrent;

namespace SocketKit.Internal;

/// <summary>
/// The pipes' segments: blocks of one size, kept for reuse however many connections hold one at once, and trimmed when
/// they stay unused. <see cref="ArrayPool{T}.Shared"/> keeps only 32 arrays of a size per core, so with more connections
/// than that receiving at once (50 on one core, 1 000 on eight) every further 128 KiB segment was a new array on the
/// large object heap, measured at 289 B allocated per echoed 32 B message; this pool allocates none once warm.
/// </summary>
/// <remarks>
/// An idle connection holds no block (it waits with a zero-byte receive), so what the pool keeps follows the number of
/// connections busy at once. Every <see cref="TrimInterval"/> it frees half the blocks that stayed unused throughout.
/// </remarks>
internal sealed class BlockMemoryPool : MemoryPool<byte>
{
    /// <summary>How often each pool frees blocks nobody used since the last time.</summary>
    public static readonly TimeSpan TrimInterval = TimeSpan.FromSeconds(10);

    private static readonly ConcurrentDictionary<int, BlockMemoryPool> BySize = new();
    private static readonly Timer Trimmer = new(static _ => TrimAll(), null, TrimInterval, TrimInterval);
    private readonly ConcurrentQueue<Block> _free = new(); // a queue: unlike a stack, it allocates no node per return
    private readonly int _blockSize;
    private int _freeCount;
    private int _unusedSinceTrim; // the fewest free blocks seen since the last trim: that many were not needed

    private BlockMemoryPool(int blockSize) => _blockSize = blockSize;

    /// <summary>The process-wide pool of <paramref name="blockSize"/>-byte blocks.</summary>
    public static BlockMemoryPool For(int blockSize)
    {
        GC.KeepAlive(Trimmer);
        return BySize.GetOrAdd(blockSize, static size => new BlockMemoryPool(size));
    }

    /// <inheritdoc />
    public override int MaxBufferSize => _blockSize;

    /// <summary>Blocks kept for reuse now (for tests).</summary>
    internal int FreeCount => Volatile.Read(ref _freeCount);

    /// <inheritdoc />
    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        if (minBufferSize > _blockSize)
        {
            return new Block(null, GC.AllocateUninitializedArray<byte>(minBufferSize)); // bigger than a block: not kept
        }

        if (_free.TryDequeue(out var block))
        {
            var left = Interlocked.Decrement(ref _freeCount);
            if (left < Volatile.Read(ref _unusedSinceTrim))
            {
                Volatile.Write(ref _unusedSinceTrim, left); // a race may leave it a little high: trimming is a heuristic
            }

            return block;
        }

        // Pinned: a socket pins its buffer for every receive and send anyway, and on the pinned heap it never moves.
        return new Block(this, GC.AllocateUninitializedArray<byte>(_blockSize, pinned: true));
    }

    /// <summary>Frees half the blocks that stayed unused since the last trim.</summary>
    internal void Trim()
    {
        var surplus = Interlocked.Exchange(ref _unusedSinceTrim, Volatile.Read(ref _freeCount)) / 2;
        for (var i = 0; i < surplus && _free.TryDequeue(out _); i++)
        {
            Interlocked.Decrement(ref _freeCount);
        }

        Volatile.Write(ref _unusedSinceTrim, Volatile.Read(ref _freeCount));
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        // Process-wide: never disposed.
    }

    private static void TrimAll()
    {
        foreach (var pool in BySize.Values)
        {
            pool.Trim();
        }
    }

    private void Return(Block block)
    {
        _free.Enqueue(block);
        Interlocked.Increment(ref _freeCount);
    }

    /// <summary>One block; disposing it (the pipe does, once, when its segment is done) gives it back.</summary>
    private sealed class Block(BlockMemoryPool? pool, byte[] array) : IMemoryOwner<byte>
    {
        public Memory<byte> Memory { get; } = array;

        public void Dispose() => pool?.Return(this);
    }
}
