using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;

namespace SocketKit.Transports;

/// <summary>
/// One stream over a transport's two pipes, for <see cref="System.Net.Security.SslStream"/>: reads come from the
/// input pipe and writes go to the output pipe (through the framework's pipe stream adapter). Reads are its own:
/// they take what the pipe already holds without suspending, and allocate nothing when they do suspend.
/// </summary>
internal sealed class DuplexPipeStream(PipeReader input, PipeWriter output) : Stream
{
    private readonly Stream _writer = output.AsStream(leaveOpen: true);

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <summary>
    /// Once set, a gate the caller of <see cref="System.Net.Security.SslStream"/>'s reads holds: this stream lets go of it
    /// while it waits for bytes and takes it back before returning them, so the stream's decryption (OpenSSL's
    /// <c>SSL_read</c>, which runs after this returns) always runs inside the gate and waiting never holds it.
    /// </summary>
    public SemaphoreSlim? ReadGate { get; set; }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        input.TryRead(out var result) ? new ValueTask<int>(Take(result, buffer)) : WaitAndReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => _writer.WriteAsync(buffer, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => _writer.WriteAsync(buffer, offset, count, cancellationToken);

    public override Task FlushAsync(CancellationToken cancellationToken) => _writer.FlushAsync(cancellationToken);

    /// <summary>Waits for bytes outside the <see cref="ReadGate"/> (when set), then takes them inside it.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> WaitAndReadAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var gate = ReadGate;
        gate?.Release();
        ReadResult result;
        try
        {
            result = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (gate is not null)
            {
                await gate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }

        return Take(result, buffer);
    }

    /// <summary>Copies what fits and gives the rest back to the pipe; 0 at the end of the input (or for a zero-byte read).</summary>
    private int Take(ReadResult result, Memory<byte> buffer)
    {
        var sequence = result.Buffer;
        var consumed = sequence.Start;
        try
        {
            if (result.IsCanceled)
            {
                throw new OperationCanceledException("The read of the transport's input was canceled.");
            }

            var count = (int)Math.Min(sequence.Length, buffer.Length);
            var slice = sequence.Slice(0, count);
            slice.CopyTo(buffer.Span);
            consumed = slice.End;
            return count;
        }
        finally
        {
            input.AdvanceTo(consumed);
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("Synchronous reads would block a thread; SslStream is used asynchronously.");

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("Synchronous writes would block a thread; SslStream is used asynchronously.");

    public override void Flush()
    {
        // Writes are flushed by FlushAsync.
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _writer.Dispose();
        }

        base.Dispose(disposing);
    }
}
