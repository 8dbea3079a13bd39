using System.Buffers;
using System.Buffers.Binary;
using BenchmarkDotNet.Attributes;
using SocketKit.Codecs;
using SocketKit.Connections;
using SocketKit.Testing;

namespace SocketKit.Benchmarks;

/// <summary>
/// The connection's receive and send path over an in-memory pipe: the peer writes a batch of length-prefixed
/// frames, the handler echoes each one, the peer reads every echoed byte back.
/// </summary>
[MemoryDiagnoser]
public class ConnectionBenchmarks
{
    private const int MessagesPerBatch = 64;
    private Connection<ReadOnlySequence<byte>, ReadOnlySequence<byte>> _connection = null!;
    private InMemoryPeer _peer = null!;
    private byte[] _batch = [];

    [Params(32, 1024, 65536)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var frame = new byte[4 + Size];
        BinaryPrimitives.WriteInt32BigEndian(frame, Size);
        _batch = Enumerable.Repeat(frame, MessagesPerBatch).SelectMany(f => f).ToArray();
        (_connection, _peer) = InMemoryConnection.CreateWithPeer(Codec.LengthPrefixed(), new Echo());
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        _connection.Abort();
        await _peer.DisposeAsync();
    }

    [Benchmark(OperationsPerInvoke = MessagesPerBatch)]
    public async Task<int> EchoBatch()
    {
        await _peer.WriteAsync(_batch);
        var remaining = _batch.Length;
        while (remaining > 0)
        {
            var result = await _peer.Input.ReadAsync();
            var take = (int)Math.Min(remaining, result.Buffer.Length);
            _peer.Input.AdvanceTo(result.Buffer.GetPosition(take));
            remaining -= take;
        }

        return _batch.Length;
    }

    private sealed class Echo : ConnectionHandler<ReadOnlySequence<byte>, ReadOnlySequence<byte>>
    {
        public override ValueTask OnMessageAsync(Connection<ReadOnlySequence<byte>, ReadOnlySequence<byte>> connection, ReadOnlySequence<byte> message, CancellationToken closing) =>
            connection.SendAsync(message, closing);
    }
}
