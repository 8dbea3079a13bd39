using System.Buffers;
using System.Net;
using System.Runtime.CompilerServices;
using BenchmarkDotNet.Attributes;
using SocketKit.Codecs;
using SocketKit.Connections;
using SocketKit.Udp;

namespace SocketKit.Benchmarks;

/// <summary>
/// Datagrams over loopback through SocketKit's UDP: a client endpoint sends a burst, an echo (an endpoint, or a
/// server's sessions) sends each back, the client reads every echo. The memory diagnoser shows what a datagram costs
/// in steady state (both ends are in this process, so the figure covers client and server).
/// </summary>
[MemoryDiagnoser]
public class UdpBenchmarks
{
    private const int Burst = 16;
    private readonly ReadOnlySequence<byte> _payload = new(new byte[32]);
    private IAsyncDisposable _server = null!;
    private IPEndPoint _serverEndPoint = null!;
    private UdpEndpoint<ReadOnlySequence<byte>, ReadOnlySequence<byte>> _client = null!;
    private IAsyncEnumerator<Datagram<ReadOnlySequence<byte>>> _replies = null!;

    [Params("endpoint", "sessions")]
    public string Echo { get; set; } = "endpoint";

    [GlobalSetup]
    public async Task Setup()
    {
        var loopback = new IPEndPoint(IPAddress.Loopback, 0);
        if (Echo == "endpoint")
        {
            var endpoint = new UdpEndpoint<ReadOnlySequence<byte>, ReadOnlySequence<byte>>(
                new UdpEndpointOptions { LocalEndPoint = loopback }, BytesCodec.Instance, BytesCodec.Instance, new DatagramEcho());
            await endpoint.StartAsync();
            (_server, _serverEndPoint) = (endpoint, endpoint.LocalEndPoint);
        }
        else
        {
            var server = new UdpServer<ReadOnlySequence<byte>, ReadOnlySequence<byte>>(
                new UdpServerOptions { Endpoint = { LocalEndPoint = loopback } }, BytesCodec.Instance, BytesCodec.Instance, new SessionEcho());
            await server.StartAsync();
            (_server, _serverEndPoint) = (server, server.LocalEndPoint);
        }

        _client = new UdpEndpoint<ReadOnlySequence<byte>, ReadOnlySequence<byte>>(
            new UdpEndpointOptions { LocalEndPoint = loopback, ReceiveBufferSize = 1 << 20 }, BytesCodec.Instance, BytesCodec.Instance);
        await _client.StartAsync();
        _replies = _client.ReceiveAllAsync().GetAsyncEnumerator();
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        await _client.DisposeAsync();
        await _replies.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Benchmark(OperationsPerInvoke = Burst)]
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))] // so the figure is the datagrams', not the benchmark method's state machine
    public async ValueTask<int> RoundTrip()
    {
        for (var i = 0; i < Burst; i++)
        {
            await _client.SendToAsync(_serverEndPoint, _payload);
        }

        for (var i = 0; i < Burst; i++)
        {
            await _replies.MoveNextAsync();
        }

        return Burst;
    }

    private sealed class DatagramEcho : DatagramHandler<ReadOnlySequence<byte>, ReadOnlySequence<byte>>
    {
        public override ValueTask OnDatagramAsync(UdpEndpoint<ReadOnlySequence<byte>, ReadOnlySequence<byte>> endpoint, Datagram<ReadOnlySequence<byte>> datagram, CancellationToken stopping) =>
            endpoint.SendToAsync(datagram.RemoteEndPoint, datagram.Message, stopping);
    }

    private sealed class SessionEcho : ConnectionHandler<ReadOnlySequence<byte>, ReadOnlySequence<byte>>
    {
        public override ValueTask OnMessageAsync(Connection<ReadOnlySequence<byte>, ReadOnlySequence<byte>> connection, ReadOnlySequence<byte> message, CancellationToken closing) =>
            connection.SendAsync(message, closing);
    }
}
