using System.Buffers;
using System.Buffers.Binary;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using SocketKit.Codecs;
using SocketKit.Connections;
using SocketKit.IntegrationTests.Infrastructure;
using SocketKit.Tcp;
using SocketKit.Tls;

namespace SocketKit.IntegrationTests;

/// <summary>
/// Steady-state echo must not allocate per message, so no later change can regress it unseen. Counted, not timed:
/// the whole process's allocations over a window of echoed messages, with a client that allocates nothing per message.
/// Runs alone (nothing else allocating beside it).
/// </summary>
[Collection(nameof(LeakTests))]
public sealed class AllocationTests
{
    private const int Batch = 256;      // frames per client write, as a pipelining client sends them
    private const int PayloadLength = 32;

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // TLS 1.3: the client's SslStream allocates nothing per message either
    public async Task Steady_state_echo_allocates_less_than_one_byte_per_message(bool tls)
    {
        using var certificate = tls ? TestCertificates.Create("localhost") : null;
        var options = new TcpServerOptions { EndPoints = { Loopback.Any4 } };
        if (certificate is not null)
        {
            options.Tls = new TlsServerOptions { Certificate = certificate, EnabledProtocols = SslProtocols.Tls13 };
        }

        await using var server = new TcpServer<ReadOnlySequence<byte>, ReadOnlySequence<byte>>(options, Codec.LengthPrefixed(), new Echo());
        await server.StartAsync(TestContext.Current.CancellationToken);
        using var socket = new Socket(System.Net.Sockets.AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(server.EndPoints[0], TestContext.Current.CancellationToken);
        await using var client = await OpenAsync(socket, certificate);
        var request = new byte[Batch * (4 + PayloadLength)];
        for (var i = 0; i < Batch; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(request.AsSpan(i * (4 + PayloadLength)), PayloadLength);
        }

        var reply = new byte[request.Length];
        await AsyncAssert.Within(EchoAsync(client, request, reply, 1_000), "the warm-up", 60); // pools, JIT, tiering, first-use state
        // Several equal windows; the least any of them allocated is the steady-state cost. A cost per message shows in
        // every window, while one-off allocations (a pool refilled after a collection, a timer's tick, tiered
        // compilation) land in some windows only, so they cannot make the test fail on their own.
        const int rounds = 2_000; // 512 000 messages a window
        var windows = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            windows.Add(await AllocatedDuringAsync(() => EchoAsync(client, request, reply, rounds)));
        }

        var perMessage = (double)windows.Min() / (rounds * Batch);
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"bytes allocated per window of {rounds * Batch:N0} messages: {string.Join(", ", windows.Select(w => w.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)))}; least: {perMessage:F4} B per message");
        Assert.True(perMessage < 1, $"Steady-state echo allocated {perMessage:F3} bytes per message in every window ({string.Join(", ", windows)} bytes per {rounds * Batch:N0} messages).");
        Assert.Equal(request, reply);
    }

    /// <summary>The client's stream: the socket's own, or TLS over it that trusts exactly the server's certificate.</summary>
    private static async Task<Stream> OpenAsync(Socket socket, X509Certificate2? serverCertificate)
    {
        var stream = new NetworkStream(socket, ownsSocket: false);
        if (serverCertificate is null)
        {
            return stream;
        }

        var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            EnabledSslProtocols = SslProtocols.Tls13,
            RemoteCertificateValidationCallback = (_, presented, _, _) => presented?.GetCertHashString() == serverCertificate.GetCertHashString(),
        }, TestContext.Current.CancellationToken);
        return ssl;
    }

    private static async Task<long> AllocatedDuringAsync(Func<Task> run)
    {
        var before = GC.GetTotalAllocatedBytes(precise: true);
        await AsyncAssert.Within(run(), "a measured window", 120);
        return GC.GetTotalAllocatedBytes(precise: true) - before;
    }

    /// <summary>Writes a batch, reads the whole batch back, <paramref name="rounds"/> times; allocates nothing per round.</summary>
    private static async Task EchoAsync(Stream client, byte[] request, byte[] reply, int rounds)
    {
        for (var round = 0; round < rounds; round++)
        {
            await client.WriteAsync(request.AsMemory());
            var read = 0;
            while (read < reply.Length)
            {
                var n = await client.ReadAsync(reply.AsMemory(read));
                if (n == 0)
                {
                    throw new EndOfStreamException("The server closed the connection.");
                }

                read += n;
            }
        }
    }

    private sealed class Echo : ConnectionHandler<ReadOnlySequence<byte>, ReadOnlySequence<byte>>
    {
        public override ValueTask OnMessageAsync(Connection<ReadOnlySequence<byte>, ReadOnlySequence<byte>> connection, ReadOnlySequence<byte> message, CancellationToken closing) =>
            connection.SendAsync(message, closing);
    }
}
