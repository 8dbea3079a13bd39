using System.Buffers;
using System.IO.Pipelines;
using SocketKit.Connections;

namespace SocketKit.Testing;

/// <summary>
/// The raw far end of an in-memory connection: write bytes to it, read the bytes it sent, send a FIN
/// (<see cref="CompleteOutputAsync"/>) or a reset (<see cref="Reset"/>). Byte-exact, with no codec in the way.
/// </summary>
public sealed class InMemoryPeer : IAsyncDisposable
{
    internal InMemoryPeer(PipeReader input, PipeWriter output)
    {
        Input = input;
        Output = output;
    }

    /// <summary>The bytes the connection sent, to read directly. A read throws an <see cref="IOException"/> once the connection reset.</summary>
    public PipeReader Input { get; }

    /// <summary>Where bytes for the connection are written, to write directly.</summary>
    public PipeWriter Output { get; }

    /// <summary>Writes <paramref name="bytes"/> to the connection and flushes.</summary>
    /// <param name="bytes">The bytes.</param>
    /// <param name="cancellationToken">Cancels waiting for the connection to read (backpressure).</param>
    /// <returns>A task that completes when the bytes are flushed.</returns>
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default) =>
        await Output.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);

    /// <summary>Finishes sending (a FIN): the connection sees the end of its input.</summary>
    /// <param name="cancellationToken">Unused; present for symmetry.</param>
    /// <returns>A task that completes when the output is completed.</returns>
    public ValueTask CompleteOutputAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Output.CompleteAsync();
    }

    /// <summary>Resets the connection (an RST): the connection closes with <see cref="CloseReason.PeerReset"/>.</summary>
    public void Reset()
    {
        Output.Complete(new IOException("The connection was reset by the peer (in-memory)."));
        Input.Complete();
    }

    /// <summary>Reads exactly <paramref name="count"/> bytes the connection sent.</summary>
    /// <param name="count">How many bytes.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The bytes.</returns>
    /// <exception cref="EndOfStreamException">The connection finished sending first.</exception>
    public async Task<byte[]> ReadExactlyAsync(int count, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var result = await Input.ReadAtLeastAsync(count, cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (buffer.Length >= count)
            {
                var bytes = buffer.Slice(0, count).ToArray();
                Input.AdvanceTo(buffer.GetPosition(count));
                return bytes;
            }

            Input.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                throw new EndOfStreamException($"The connection finished sending after {buffer.Length} of {count} bytes.");
            }
        }
    }

    /// <summary>Reads everything the connection sends until it finishes (FIN or close).</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>All the bytes.</returns>
    public async Task<byte[]> ReadToEndAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var result = await Input.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (result.IsCompleted)
            {
                var bytes = result.Buffer.ToArray();
                Input.AdvanceTo(result.Buffer.End);
                return bytes;
            }

            Input.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
    }

    /// <summary>Finishes sending and releases the peer's buffers.</summary>
    /// <returns>A task that completes when done.</returns>
    public async ValueTask DisposeAsync()
    {
        await Output.CompleteAsync().ConfigureAwait(false);
        await Input.CompleteAsync().ConfigureAwait(false);
    }
}
