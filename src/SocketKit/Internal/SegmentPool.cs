using System.Buffers;
using System.Collections.Concurrent;
using Microsoft.Extensions.ObjectPool;

namespace SocketKit.Internal;

/// <summary>
/// The pipes' buffer pool: blocks of one size, kept in a <see cref="DefaultObjectPool{T}"/> that retains up to
/// <see cref="RetainedBytes"/> of them. <see cref="ArrayPool{T}.Shared"/> keeps only a few dozen arrays of a size
/// per core, so 50 busy connections each holding a 64 KiB receive block missed it and allocated a fresh block
/// about every 25 000 messages; a block that leaves this pool is rented again without allocating.
/// </summary>
internal sealed class SegmentPool : MemoryPool<byte>
{
    /// <summary>The most memory kept per block size once a burst is over.</summary>
    public const int RetainedBytes = 16 * 1024 * 1024;

    private static readonly ConcurrentDictionary<int, SegmentPool> s_bySize = new();
    private readonly ObjectPool<Block> _blocks;
    private readonly int _blockSize;

    private SegmentPool(int blockSize)
    {
        _blockSize = blockSize;
        _blocks = new DefaultObjectPool<Block>(new BlockPolicy(this), Math.Max(16, RetainedBytes / blockSize));
    }

    /// <inheritdoc/>
    public override int MaxBufferSize => _blockSize;

    /// <summary>The process-wide pool for blocks of <paramref name="blockSize"/> bytes.</summary>
    public static SegmentPool ForSize(int blockSize) => s_bySize.GetOrAdd(blockSize, static size => new SegmentPool(size));

    /// <inheritdoc/>
    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, _blockSize);
        return _blocks.Get();
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        // Shared for the life of the process.
    }

    /// <summary>A block and its own owner object: renting allocates nothing once the pool is warm.</summary>
    private sealed class Block(SegmentPool pool, int size) : IMemoryOwner<byte>
    {
        private readonly byte[] _array = GC.AllocateUninitializedArray<byte>(size);

        public Memory<byte> Memory => _array;

        public void Dispose() => pool._blocks.Return(this);
    }

    private sealed class BlockPolicy(SegmentPool pool) : PooledObjectPolicy<Block>
    {
        public override Block Create() => new(pool, pool._blockSize);

        public override bool Return(Block obj) => true;
    }
}
