using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using SocketKit.Codecs;
using SocketKit.Connections;
using SocketKit.Testing;

namespace SocketKit.Tests.Connections;

/// <summary>
/// Switching a live connection to another codec and other message types: no byte lost or duplicated at the switch,
/// however the bytes are split; each phase's handler sees its own connected/disconnected pair; the identity carries over.
/// </summary>
public class ConnectionUpgradeTests
{
    // Small frames: the new codec's maximum frame must fit the input buffer sized for the first one (64 KiB lines).
    private static readonly Codec<ReadOnlySequence<byte>, ReadOnlySequence<byte>> Binary = Codec.LengthPrefixed(new LengthFieldFramerOptions { MaxFrameLength = 16 * 1024 });

    /// <summary>Two text lines, the line that switches, then three length-prefixed binary frames.</summary>
    private static byte[] Script()
    {
        var bytes = new List<byte>(Encoding.UTF8.GetBytes("hello\nUPGRADE\n"));
        foreach (var payload in new[] { "one", "", "three-3" })
        {
            var length = new byte[4];
            BinaryPrimitives.WriteInt32BigEndian(length, payload.Length);
            bytes.AddRange(length);
            bytes.AddRange(Encoding.UTF8.GetBytes(payload));
        }

        return bytes.ToArray();
    }

    [Fact]
    public async Task The_bytes_after_the_switch_reach_the_new_codec_exactly_once_at_every_split()
    {
        var script = Script();
        for (var split = 0; split <= script.Length; split++)
        {
            var lines = new RecordingHandler<string, string>();
            var frames = new RecordingHandler<ReadOnlySequence<byte>, ReadOnlySequence<byte>>();
            var received = new List<string>();
            frames.OnMessage = (_, message, _) =>
            {
                received.Add(Encoding.UTF8.GetString(message));
                return ValueTask.CompletedTask;
            };
            var upgraded = new TaskCompletionSource<Connection<ReadOnlySequence<byte>, ReadOnlySequence<byte>>>(TaskCreationOptions.RunContinuationsAsynchronously);
            lines.OnMessage = async (connection, line, closing) =>
            {
                if (line == "UPGRADE")
                {
                    upgraded.SetResult(connection.Upgrade(Binary, frames));
                    await connection.SendAsync("OK", closing); // sent by the old phase, still allowed until the callback returns
                }
            };
            var (first, peer) = InMemoryConnection.CreateWithPeer(Codec.Lines(), lines);

            await peer.WriteAsync(script.AsMemory(0, split));
            // Let the connection read exactly this part before the rest arrives, where it can tell it has.
            var linesInFirstPart = script.AsSpan(0, split).Count((byte)'\n');
            if (linesInFirstPart == 2)
            {
                await AsyncAssert.Within(frames.WhenEvent("connected"), $"the switch (split {split})");
            }
            else if (linesInFirstPart == 1)
            {
                await AsyncAssert.Within(lines.WhenEvent("message"), $"the first line (split {split})");
            }

            await peer.WriteAsync(script.AsMemory(split));
            var second = await AsyncAssert.Within(upgraded.Task, "the upgrade");
            await AsyncAssert.Within(WhenCount(frames, 3), $"three binary frames (split {split})");

            Assert.Equal(["hello", "UPGRADE"], lines.Messages);
            Assert.Equal(["one", "", "three-3"], received);
            var firstClose = await AsyncAssert.Within(first.Completion, "the first phase's end");
            Assert.Equal(CloseReason.Upgraded, firstClose.Reason);
            Assert.False(firstClose.IsPeerCaused);
            Assert.Equal(["connected", "message", "message", "disconnected"], lines.Events);
            Assert.Equal(first.Id, second.Id);
            Assert.Equal(first.Tuple, second.Tuple);
            Assert.Equal(ConnectionState.Open, second.State);
            Assert.Equal("OK\n", Encoding.UTF8.GetString(await peer.ReadExactlyAsync(3)));
            Assert.Empty(lines.Violations);
            Assert.Empty(frames.Violations);

            second.Close();
            await peer.CompleteOutputAsync(); // the peer answers our FIN, so the close need not wait out its drain deadline
            Assert.Equal(CloseReason.LocalClose, (await AsyncAssert.Within(frames.Disconnected, "the close")).Reason);
        }
    }

    [Fact]
    public async Task What_the_old_phase_sent_goes_out_before_what_the_new_one_sends_first()
    {
        var frames = new RecordingHandler<ReadOnlySequence<byte>, ReadOnlySequence<byte>>
        {
            OnConnected = (connection, closing) => connection.SendAsync(new ReadOnlySequence<byte>("hi"u8.ToArray()), closing),
        };
        var lines = new RecordingHandler<string, string>
        {
            OnMessage = async (connection, _, closing) =>
            {
                connection.Upgrade(Binary, frames);
                for (var i = 0; i < 100; i++)
                {
                    await connection.SendAsync("old " + i, closing);
                }
            },
        };
        var (_, peer) = InMemoryConnection.CreateWithPeer(Codec.Lines(), lines);

        await peer.WriteAsync("UPGRADE\n"u8.ToArray());

        var expected = string.Concat(Enumerable.Range(0, 100).Select(i => $"old {i}\n"));
        var bytes = await AsyncAssert.Within(peer.ReadExactlyAsync(Encoding.UTF8.GetByteCount(expected) + 6), "the replies");
        Assert.Equal(expected, Encoding.UTF8.GetString(bytes, 0, bytes.Length - 6));
        Assert.Equal(new byte[] { 0, 0, 0, 2, (byte)'h', (byte)'i' }, bytes[^6..]);
    }

    [Fact]
    public async Task The_traffic_counts_carry_over_to_the_new_phase()
    {
        var frames = new RecordingHandler<ReadOnlySequence<byte>, ReadOnlySequence<byte>>();
        Connection<ReadOnlySequence<byte>, ReadOnlySequence<byte>>? second = null;
        var lines = new RecordingHandler<string, string>
        {
            OnMessage = (connection, _, _) =>
            {
                second = connection.Upgrade(Binary, frames);
                return ValueTask.CompletedTask;
            },
        };
        var (_, peer) = InMemoryConnection.CreateWithPeer(Codec.Lines(), lines);

        await peer.WriteAsync("UPGRADE\n\0\0\0\u0001x"u8.ToArray());
        await AsyncAssert.Within(frames.WhenEvent("message"), "the binary frame");

        Assert.Equal(8 + 5, second!.Traffic.BytesIn);
        Assert.Equal(2, second.Traffic.MessagesIn);
    }

    [Fact]
    public async Task A_connection_that_closes_before_the_switch_never_starts_the_new_phase()
    {
        var frames = new RecordingHandler<ReadOnlySequence<byte>, ReadOnlySequence<byte>>();
        Connection<ReadOnlySequence<byte>, ReadOnlySequence<byte>>? second = null;
        var lines = new RecordingHandler<string, string>
        {
            OnMessage = (connection, _, _) =>
            {
                second = connection.Upgrade(Binary, frames);
                connection.Abort();
                return ValueTask.CompletedTask;
            },
        };
        var (first, peer) = InMemoryConnection.CreateWithPeer(Codec.Lines(), lines);

        await peer.WriteAsync("UPGRADE\n"u8.ToArray());

        var close = await AsyncAssert.Within(first.Completion, "the close");
        Assert.Equal(CloseReason.LocalAbort, close.Reason);
        var abandoned = await AsyncAssert.Within(second!.Completion, "the abandoned phase's completion");
        Assert.Same(close, abandoned);
        Assert.Equal(ConnectionState.Closed, second.State);
        Assert.Equal(0, frames.ConnectedCount);
        Assert.Equal(0, frames.DisconnectedCount);
    }

    [Fact]
    public async Task A_pull_mode_connection_switches_between_enumerations()
    {
        var (client, peer) = InMemoryConnection.CreateWithPeer(Codec.Lines(), handler: null);
        await peer.WriteAsync("101 Switching\n\0\0\0\u0002ok"u8.ToArray());

        await foreach (var line in client.ReadAllAsync(TestContext.Current.CancellationToken))
        {
            Assert.Equal("101 Switching", line);
            break;
        }

        var binary = client.Upgrade(Binary, handler: null);
        await foreach (var frame in binary.ReadAllAsync(TestContext.Current.CancellationToken))
        {
            Assert.Equal("ok", Encoding.UTF8.GetString(frame));
            break;
        }

        Assert.Equal(CloseReason.Upgraded, (await AsyncAssert.Within(client.Completion, "the first phase's end")).Reason);
        await foreach (var unexpected in client.ReadAllAsync(TestContext.Current.CancellationToken))
        {
            Assert.Fail("the first phase has nothing more to read: " + unexpected);
        }

        await peer.CompleteOutputAsync();
        Assert.Equal(CloseReason.PeerClose, (await AsyncAssert.Within(binary.Completion, "the close")).Reason);
    }

    [Fact]
    public async Task A_codec_whose_frames_do_not_fit_the_input_buffer_is_refused()
    {
        var thrown = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var lines = new RecordingHandler<string, string>
        {
            OnMessage = (connection, _, _) =>
            {
                thrown.TrySetResult(Record.Exception(() => connection.Upgrade(
                    Codec.LengthPrefixed(new LengthFieldFramerOptions { MaxFrameLength = 64 * 1024 * 1024 }), handler: null)));
                return ValueTask.CompletedTask;
            },
        };
        var (connection, peer) = InMemoryConnection.CreateWithPeer(Codec.Lines(), lines);

        await peer.WriteAsync("UPGRADE\nstill lines\n"u8.ToArray());

        var error = Assert.IsType<ArgumentException>(await AsyncAssert.Within(thrown.Task, "the refusal"));
        Assert.Contains("MaxReceiveBufferSize", error.Message);
        await AsyncAssert.Within(WhenCount(lines, 2), "the next line, still decoded as a line");
        Assert.Equal(ConnectionState.Open, connection.State);
        await peer.CompleteOutputAsync();
        Assert.Equal(CloseReason.PeerClose, (await AsyncAssert.Within(connection.Completion, "the close")).Reason);
    }

    [Fact]
    public async Task A_second_upgrade_of_the_same_connection_is_refused()
    {
        var thrown = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var lines = new RecordingHandler<string, string>
        {
            OnMessage = (connection, _, _) =>
            {
                connection.Upgrade(Binary, handler: null);
                thrown.SetResult(Record.Exception(() => connection.Upgrade(Binary, handler: null)));
                return ValueTask.CompletedTask;
            },
        };
        var (_, peer) = InMemoryConnection.CreateWithPeer(Codec.Lines(), lines);

        await peer.WriteAsync("UPGRADE\n"u8.ToArray());

        Assert.IsType<InvalidOperationException>(await AsyncAssert.Within(thrown.Task, "the refusal"));
    }

    private static Task WhenCount<TIn, TOut>(RecordingHandler<TIn, TOut> handler, int count) => handler.WhenMessageCount(count);
}
