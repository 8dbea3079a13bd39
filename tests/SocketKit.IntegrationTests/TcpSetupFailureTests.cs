using System.Buffers;
using System.Collections.Concurrent;
using SocketKit.Codecs;
using SocketKit.Connections;
using SocketKit.IntegrationTests.Infrastructure;
using SocketKit.Tcp;

namespace SocketKit.IntegrationTests;

/// <summary>User code that throws while a connection is being set up ends that connection, and only that one.</summary>
[Collection(nameof(LoopbackTests))]
public sealed class TcpSetupFailureTests
{
    [Fact]
    public async Task A_ConfigureSocket_hook_that_throws_refuses_that_connection_and_gives_its_slot_back()
    {
        var calls = 0;
        await using var echo = await EchoServer.StartAsync(o => o.Socket.ConfigureSocket = _ =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                throw new KeyNotFoundException("a bug in the application's socket setup");
            }
        });

        Assert.Contains(await AsyncAssert.Within(RawClient.ConnectExpectingRefusalAsync(echo.EndPoint), "the connection to be refused"), new[] { "fin", "reset" });

        Assert.Equal(1, echo.Server.RejectedConnections);
        await TcpFaultTests.AssertServesAFreshClientAsync(echo);
        await AsyncAssert.Within(echo.Server.StopAsync(), "the server to stop (no slot left behind)");
        Assert.Equal(0, echo.Server.ConnectionCount);
    }

    [Fact]
    public async Task A_handler_factory_gives_each_connection_its_own_handler_and_a_throwing_one_drops_only_that_connection()
    {
        var factory = new CountingFactory();
        var options = new TcpServerOptions { EndPoints = { Loopback.Any4 } };
        await using var server = new TcpServer<ReadOnlySequence<byte>, ReadOnlySequence<byte>>(options, Codec.LengthPrefixed(), factory);
        await server.StartAsync(TestContext.Current.CancellationToken);

        factory.ThrowNext = true;
        Assert.Contains(await AsyncAssert.Within(RawClient.ConnectExpectingRefusalAsync(server.EndPoints[0]), "the connection to be dropped"), new[] { "fin", "reset" });
        using (var first = await RawClient.ConnectAsync(server.EndPoints[0]))
        using (var second = await RawClient.ConnectAsync(server.EndPoints[0]))
        {
            await first.SendFrameAsync([1]);
            await second.SendFrameAsync([2]);
            Assert.Equal([1, 1], await first.ReadFrameAsync()); // each handler counts its own connection's messages
            Assert.Equal([2, 1], await second.ReadFrameAsync());
            await first.SendFrameAsync([1]);
            Assert.Equal([1, 2], await first.ReadFrameAsync());
        }

        await AsyncAssert.Within(server.StopAsync(TestContext.Current.CancellationToken), "the server to stop");
        Assert.Equal(2, factory.Created);
        Assert.Equal(2, factory.Released.Count); // each after its OnDisconnectedAsync, before the stop completed
        Assert.All(factory.Released, handler => Assert.True(handler.Disconnected));
        Assert.Equal(0, server.ConnectionCount);
    }

    private sealed class CountingFactory : IConnectionHandlerFactory<ReadOnlySequence<byte>, ReadOnlySequence<byte>>
    {
        private int _created;

        public volatile bool ThrowNext;

        public int Created => Volatile.Read(ref _created);

        public ConcurrentBag<Counter> Released { get; } = new();

        public ConnectionHandler<ReadOnlySequence<byte>, ReadOnlySequence<byte>> Create(FiveTuple tuple)
        {
            if (ThrowNext)
            {
                ThrowNext = false;
                throw new InvalidOperationException("a bug in the application's handler factory");
            }

            Interlocked.Increment(ref _created);
            return new Counter();
        }

        public ValueTask ReleaseAsync(ConnectionHandler<ReadOnlySequence<byte>, ReadOnlySequence<byte>> handler, CancellationToken cancellationToken)
        {
            Released.Add((Counter)handler);
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>Replies to each frame with its first byte and how many frames this handler has seen.</summary>
    private sealed class Counter : ConnectionHandler<ReadOnlySequence<byte>, ReadOnlySequence<byte>>
    {
        private byte _count;

        public bool Disconnected { get; private set; }

        public override ValueTask OnMessageAsync(Connection<ReadOnlySequence<byte>, ReadOnlySequence<byte>> connection, ReadOnlySequence<byte> message, CancellationToken closing) =>
            connection.SendAsync(new ReadOnlySequence<byte>(new[] { message.FirstSpan[0], ++_count }), closing);

        public override ValueTask OnDisconnectedAsync(Connection<ReadOnlySequence<byte>, ReadOnlySequence<byte>> connection, CloseInfo closeInfo, CancellationToken cancellationToken)
        {
            Disconnected = true;
            return ValueTask.CompletedTask;
        }
    }
}
