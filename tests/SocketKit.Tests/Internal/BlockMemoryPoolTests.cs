using System.Buffers;
using SocketKit.Internal;

namespace SocketKit.Tests.Internal;

/// <summary>
/// The pipes' block pool keeps every block given back, however many were out at once (the shared ArrayPool keeps 32 a
/// size per core and let the rest be garbage), and trims only what stays unused.
/// </summary>
public class BlockMemoryPoolTests
{
    private const int BlockSize = 4096 + 17; // a size no other test's pipes use, so the pool is this test's own

    [Fact]
    public void Blocks_given_back_are_reused_however_many_were_out_at_once()
    {
        var pool = BlockMemoryPool.For(BlockSize);
        var count = (64 * Environment.ProcessorCount) + 100; // far beyond the shared ArrayPool's per-core cache
        var first = Enumerable.Range(0, count).Select(_ => pool.Rent(BlockSize)).ToArray();
        var arrays = first.Select(Array).ToHashSet();
        foreach (var block in first)
        {
            block.Dispose();
        }

        var second = new IMemoryOwner<byte>[count];
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < count; i++)
        {
            second[i] = pool.Rent(1);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        Assert.Equal(0, allocated);
        Assert.All(second, block => Assert.Contains(Array(block), arrays));
        Assert.All(second, block => Assert.Equal(BlockSize, block.Memory.Length));
        foreach (var block in second)
        {
            block.Dispose();
        }
    }

    [Fact]
    public void A_request_larger_than_a_block_gets_its_own_array_which_is_not_kept()
    {
        var pool = BlockMemoryPool.For(BlockSize + 1);
        var kept = pool.FreeCount;

        using (var big = pool.Rent(BlockSize * 3))
        {
            Assert.Equal(BlockSize * 3, big.Memory.Length);
        }

        Assert.Equal(kept, pool.FreeCount);
    }

    [Fact]
    public void A_trim_frees_half_of_what_stayed_unused_since_the_last_one()
    {
        var pool = BlockMemoryPool.For(BlockSize + 2);
        var blocks = Enumerable.Range(0, 40).Select(_ => pool.Rent()).ToArray();
        foreach (var block in blocks)
        {
            block.Dispose();
        }

        pool.Trim(); // starts a period: 40 free
        foreach (var block in Enumerable.Range(0, 10).Select(_ => pool.Rent()).ToArray())
        {
            block.Dispose(); // at most 10 were needed at once: 30 stayed unused
        }

        pool.Trim();
        Assert.Equal(40 - 15, pool.FreeCount);
        pool.Trim(); // nothing was rented since: half of the 25 go
        Assert.Equal(25 - 12, pool.FreeCount);
    }

    [Fact]
    public void Every_connection_pipe_takes_its_segments_from_a_block_pool_of_its_segment_size()
    {
        var options = new SocketKit.Connections.ConnectionOptions();
        var input = options.InputPipeOptions(1024 * 1024);
        var output = SocketKit.Connections.ConnectionOptions.OutputPipeOptions;
        var tlsOutput = SocketKit.Transports.TlsTransport.InnerOutputPipeOptions;

        Assert.All(new[] { input, output, tlsOutput }, pipe =>
        {
            var pool = Assert.IsType<BlockMemoryPool>(pipe.Pool);
            Assert.Equal(pipe.MinimumSegmentSize, pool.MaxBufferSize);
        });
    }

    private static byte[] Array(IMemoryOwner<byte> block) =>
        System.Runtime.InteropServices.MemoryMarshal.TryGetArray<byte>(block.Memory, out var segment) ? segment.Array! : throw new InvalidOperationException("not an array");
}
