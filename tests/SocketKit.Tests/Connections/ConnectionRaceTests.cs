using SocketKit.Codecs;
using SocketKit.Testing;
using SocketKit.Tests.Infrastructure;

namespace SocketKit.Tests.Connections;

[Collection(nameof(SerialRaces))]
public class ConnectionRaceTests
{
    [Fact]
    public async Task Close_dispose_and_peer_reset_racing_a_thousand_times_keep_connected_and_disconnected_paired()
    {
        const int rounds = 1000;
        var handlers = new RecordingHandler<string, string>[rounds];
        var pairs = new (SocketKit.Connections.Connection<string, string> Connection, InMemoryPeer Peer)[rounds];
        for (var i = 0; i < rounds; i++)
        {
            handlers[i] = new RecordingHandler<string, string>();
            pairs[i] = InMemoryConnection.CreateWithPeer(Codec.Lines(), handlers[i]);
        }

        var disposals = new Task[rounds];
        await AsyncAssert.Within(Race.RunAsync(rounds,
            i => pairs[i].Connection.Close(),
            i => disposals[i] = pairs[i].Connection.DisposeAsync().AsTask(),
            i => pairs[i].Peer.Reset()), "the racers", 60);
        await AsyncAssert.Within(Task.WhenAll(disposals), "every DisposeAsync", 60);

        for (var i = 0; i < rounds; i++)
        {
            Assert.True(handlers[i].Violations.Count == 0, $"round {i}: {string.Join(", ", handlers[i].Violations)}");
            Assert.Equal(1, handlers[i].ConnectedCount);
            Assert.Equal(1, handlers[i].DisconnectedCount);
        }
    }
}

[CollectionDefinition(nameof(SerialRaces), DisableParallelization = true)]
public sealed class SerialRaces;
