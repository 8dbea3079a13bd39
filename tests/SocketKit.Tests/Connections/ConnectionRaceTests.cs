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

    [Fact]
    public async Task A_pull_reader_starting_as_the_peer_finishes_is_never_refused_as_a_second_reader()
    {
        // The transport's thread looks at the unread input when the FIN arrives; that look must not collide with ReadAllAsync.
        const int rounds = 1000;
        var pairs = new (SocketKit.Connections.Connection<string, string> Connection, InMemoryPeer Peer)[rounds];
        for (var i = 0; i < rounds; i++)
        {
            pairs[i] = InMemoryConnection.CreateWithPeer(Codec.Lines(), handler: null);
            await pairs[i].Peer.WriteAsync("a\nb\n"u8.ToArray());
        }

        var finishes = new Task[rounds];
        var reads = new Task<List<string>>[rounds];
        await AsyncAssert.Within(Race.RunAsync(rounds,
            i => finishes[i] = pairs[i].Peer.CompleteOutputAsync().AsTask(),
            i => reads[i] = ReadAllAsync(pairs[i].Connection)), "the racers", 60);
        await AsyncAssert.Within(Task.WhenAll(finishes), "every finish", 60);
        await AsyncAssert.Within(Task.WhenAll(reads), "every enumeration", 60);
        for (var i = 0; i < rounds; i++)
        {
            Assert.Equal(["a", "b"], await reads[i]);
            await AsyncAssert.Within(pairs[i].Connection.Completion, $"round {i}: the close after the peer's end");
        }
    }

    private static async Task<List<string>> ReadAllAsync(SocketKit.Connections.Connection<string, string> connection)
    {
        var lines = new List<string>();
        await foreach (var line in connection.ReadAllAsync())
        {
            lines.Add(line);
        }

        return lines;
    }
}

[CollectionDefinition(nameof(SerialRaces), DisableParallelization = true)]
public sealed class SerialRaces;
