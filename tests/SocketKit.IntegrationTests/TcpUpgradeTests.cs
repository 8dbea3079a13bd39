using System.Buffers;
using System.Net;
using System.Text;
using SocketKit.Codecs;
using SocketKit.Connections;
using SocketKit.IntegrationTests.Infrastructure;
using SocketKit.Tcp;
using SocketKit.Tls;

namespace SocketKit.IntegrationTests;

/// <summary>Switching protocols on real sockets, with and without TLS: both ends switch, the server counts and stops the connection as one.</summary>
[Collection(nameof(LoopbackTests))]
public class TcpUpgradeTests
{
    private static readonly Codec<ReadOnlySequence<byte>, ReadOnlySequence<byte>> Binary =
        Codec.LengthPrefixed(new LengthFieldFramerOptions { MaxFrameLength = 16 * 1024 });

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Both_ends_switch_codecs_and_the_server_keeps_counting_and_stopping_the_connection(bool tls)
    {
        var binaryHandler = new RecordingHandler<ReadOnlySequence<byte>, ReadOnlySequence<byte>>
        {
            OnMessage = (connection, frame, closing) => connection.SendAsync(frame, closing), // echo, in the new protocol
        };
        var upgraded = new TaskCompletionSource<Connection<ReadOnlySequence<byte>, ReadOnlySequence<byte>>>(TaskCreationOptions.RunContinuationsAsynchronously);
        var linesHandler = new RecordingHandler<string, string>
        {
            OnMessage = async (connection, line, closing) =>
            {
                if (line == "UPGRADE")
                {
                    upgraded.SetResult(connection.Upgrade(Binary, binaryHandler));
                    await connection.SendAsync("OK", closing);
                }
            },
        };
        var certificate = TestCertificates.Create("localhost");
        var options = new TcpServerOptions { EndPoints = { Loopback.Any4 }, Tls = tls ? new TlsServerOptions { Certificate = certificate } : null };
        await using var server = new TcpServer<string, string>(options, Codec.Lines(), linesHandler);
        await server.StartAsync(Ct);
        var clientOptions = new TcpConnectorOptions
        {
            Tls = tls ? new TlsClientOptions { TargetHost = "localhost", RemoteCertificateValidation = (_, presented, _, _) => presented?.Subject == "CN=localhost" } : null,
        };

        await using var client = await TcpConnector.ConnectAsync(server.EndPoints[0], Codec.Lines(), options: clientOptions, cancellationToken: Ct);
        await client.SendAsync("UPGRADE", Ct);
        await foreach (var line in client.ReadAllAsync(Ct))
        {
            Assert.Equal("OK", line);
            break;
        }

        var binaryClient = client.Upgrade(Binary, handler: null);
        var replies = binaryClient.ReadAllAsync(Ct).GetAsyncEnumerator(Ct);
        await binaryClient.SendAsync(new ReadOnlySequence<byte>("after"u8.ToArray()), Ct);
        Assert.True(await AsyncAssert.Within(replies.MoveNextAsync(), "the echo in the new protocol"));
        Assert.Equal("after", Encoding.UTF8.GetString(replies.Current));

        var serverSide = await AsyncAssert.Within(upgraded.Task, "the server's switch");
        Assert.Equal(1, server.ConnectionCount);
        Assert.Empty(server.Connections); // the connection no longer speaks the server's message types
        Assert.Equal(tls, serverSide.Tls is not null);
        Assert.Equal(CloseReason.Upgraded, (await AsyncAssert.Within(linesHandler.Disconnected, "the first phase's end")).Reason);

        await replies.DisposeAsync();
        await AsyncAssert.Within(server.StopAsync(Ct), "the stop");
        Assert.Equal(CloseReason.ServerShutdown, (await AsyncAssert.Within(binaryHandler.Disconnected, "the upgraded connection's close")).Reason);
        Assert.Equal(0, server.ConnectionCount);
        Assert.Equal(1, server.AcceptedConnections);
        Assert.Empty(linesHandler.Violations);
        Assert.Empty(binaryHandler.Violations);
    }
}
