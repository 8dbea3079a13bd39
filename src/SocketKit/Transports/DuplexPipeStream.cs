using System.IO.Pipelines;

namespace SocketKit.Transports;

/// <summary>
/// One stream over a transport's two pipes, for <see cref="System.Net.Security.SslStream"/>: reads come from the
/// input pipe and writes go to the output pipe, through the framework's own pipe stream adapters.
/// </summary>
internal sealed class DuplexPipeStream(PipeReader input, PipeWriter output) : Stream
{
    private readonly Stream _reader = input.AsStream(leaveOpen: true);
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
        ReadGate is { } gate ? ReadOutsideGateAsync(gate, buffer, cancellationToken) : _reader.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => _writer.WriteAsync(buffer, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => _writer.WriteAsync(buffer, offset, count, cancellationToken);

    public override Task FlushAsync(CancellationToken cancellationToken) => _writer.FlushAsync(cancellationToken);

    private async ValueTask<int> ReadOutsideGateAsync(SemaphoreSlim gate, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        gate.Release();
        try
        {
            return await _reader.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await gate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
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
            _reader.Dispose();
            _writer.Dispose();
        }

        base.Dispose(disposing);
    }
}
