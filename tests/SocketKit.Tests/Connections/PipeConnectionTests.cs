using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Text;
using SocketKit.Codecs;
using SocketKit.Connections;
using SocketKit.Tests.Infrastructure;

namespace SocketKit.Tests.Connections;

/// <summary>
/// <see cref="PipeConnection"/>: a connection over any duplex pipe, whose far end speaks as a TCP peer (a completed
/// writer is a FIN, a writer completed with an error is a reset).
/// </summary>
public sealed class PipeConnectionTests
{
    private static readonly FiveTuple Tuple = new(TransportProtocol.InMemory, new IPEndPoint(IPAddress.Loopback, 7), new IPEndPoint(IPAddress.Loopback, 8));

    [Fact]
    public async Task A_connection_over_a_stream_pair_exchanges_lines_and_ends_with_the_peers_fin()
    {
        // A stream as a user would have one (here an in-memory one), adapted with PipeReader.Create/PipeWriter.Create.
        var (toConnection, fromConnection) = (new Pipe(), new Pipe());
        var pipe = new StreamPipe(toConnection.Reader.AsStream(), fromConnection.Writer.AsStream());
        await using var connection = PipeConnection.Start(pipe, Tuple, Codec.Lines(), handler: null);

        Assert.Equal(Tuple, connection.Tuple);
        await toConnection.Writer.WriteAsync("hello\n"u8.ToArray(), TestContext.Current.CancellationToken);
        await connection.SendAsync("world", TestContext.Current.CancellationToken);
        await using (var lines = connection.ReadAllAsync(TestContext.Current.CancellationToken).GetAsyncEnumerator(TestContext.Current.CancellationToken))
        {
            Assert.True(await lines.MoveNextAsync());
            Assert.Equal("hello", lines.Current);
            await toConnection.Writer.CompleteAsync(); // the peer's FIN
            Assert.False(await lines.MoveNextAsync());
        }

        Assert.Equal(CloseReason.PeerClose, (await AsyncAssert.Within(connection.Completion, "the close")).Reason);
        var sent = await AsyncAssert.Within(ReadAllAsync(fromConnection.Reader), "the connection's FIN");
        Assert.Equal("world\n", Encoding.UTF8.GetString(sent));
    }

    [Fact]
    public async Task A_writer_completed_with_an_error_is_a_reset_and_an_abort_reaches_the_peer_as_one()
    {
        var (toConnection, fromConnection) = (new Pipe(), new Pipe());
        var connection = PipeConnection.Start(new StreamlessPipe(toConnection.Reader, fromConnection.Writer), Tuple, Codec.Lines(), new NullHandler());
        await toConnection.Writer.CompleteAsync(new IOException("gone"));

        Assert.Equal(CloseReason.PeerReset, (await AsyncAssert.Within(connection.Completion, "the reset")).Reason);

        var (toSecond, fromSecond) = (new Pipe(), new Pipe());
        var second = PipeConnection.Start(new StreamlessPipe(toSecond.Reader, fromSecond.Writer), Tuple, Codec.Lines(), new NullHandler());
        second.Abort();
        await Assert.ThrowsAsync<IOException>(() => AsyncAssert.Within(ReadAllAsync(fromSecond.Reader), "the reset to reach the peer"));
        Assert.Equal(CloseReason.LocalAbort, (await AsyncAssert.Within(second.Completion, "the abort")).Reason);
    }

    private static async Task<byte[]> ReadAllAsync(PipeReader reader)
    {
        while (true)
        {
            var result = await reader.ReadAsync();
            if (result.IsCompleted)
            {
                var bytes = result.Buffer.ToArray();
                reader.AdvanceTo(result.Buffer.End);
                return bytes;
            }

            reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
    }

    private sealed class StreamPipe(Stream input, Stream output) : IDuplexPipe
    {
        public PipeReader Input { get; } = PipeReader.Create(input);

        public PipeWriter Output { get; } = PipeWriter.Create(output);
    }

    private sealed class StreamlessPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input => input;

        public PipeWriter Output => output;
    }
}
