using System.Buffers;
using System.IO.Pipelines;
using System.Net.Security;
using System.Runtime.CompilerServices;
using System.Security.Authentication;
using SocketKit.Internal;
using SocketKit.Tls;

namespace SocketKit.Transports;

/// <summary>
/// TLS as a layer between pipes: the TCP transport's pipes carry the encrypted bytes, an <see cref="SslStream"/>
/// runs over them, and two pumps move the plain bytes between it and the connection's own pipes. Limits, idle
/// handling and the send buffer therefore behave exactly as for plain TCP. A zero-byte read waits for data, so an
/// idle TLS connection holds no receive buffer either.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The SslStream is disposed by ShutdownAsync (or a failed handshake), the transport's last call.")]
internal sealed class TlsTransport : Transport, ITransportObserver
{
    /// <summary>The TCP pipe under TLS pauses the encrypting pump when the socket falls behind, so the send buffer still bounds memory.</summary>
    public static PipeOptions InnerOutputPipeOptions { get; } =
        new(readerScheduler: PipeScheduler.ThreadPool, pauseWriterThreshold: 1024 * 1024, resumeWriterThreshold: 512 * 1024,
            pool: Internal.BlockMemoryPool.For(16 * 1024), minimumSegmentSize: 16 * 1024, useSynchronizationContext: false);

    private readonly Transport _tcp;
    private readonly SslStream _ssl;
    private readonly DuplexPipeStream _encrypted;
    // OpenSSL must not run SSL_shutdown (close_notify) while SSL_read runs on the same connection: SslStream keeps its
    // reads and writes apart, not its shutdown, and the race crashed the process (segfault in SSL_read). Reads hold
    // this gate except while they wait for bytes (see DuplexPipeStream.ReadGate); the shutdown takes it.
    private readonly SemaphoreSlim _sslGate = new(1, 1);
    private readonly Pipe _input;
    private readonly Pipe _output;
    private readonly int _segmentSize;
    private volatile ITransportObserver? _observer;
    private int _started;
    private Task _readPump = Task.CompletedTask;
    private Task _writePump = Task.CompletedTask;
    private int _aborted;
    private TlsConnectionInfo? _info; // set once the handshake succeeds

    public TlsTransport(Transport tcp, PipeOptions input, PipeOptions output)
    {
        _tcp = tcp;
        _encrypted = new DuplexPipeStream(tcp.Input, tcp.Output);
        _ssl = new SslStream(_encrypted, leaveInnerStreamOpen: false);
        _input = new Pipe(input);
        _output = new Pipe(output);
        _segmentSize = input.MinimumSegmentSize;
    }

    public override PipeReader Input => _input.Reader;

    public override PipeWriter Output => _output.Writer;

    public override TlsConnectionInfo? Tls => _info;

    /// <summary>Runs the server side of the handshake within <paramref name="timeout"/>. Returns why it failed (the connection is then reset and released), or <see langword="null"/>.</summary>
    public Task<Exception?> AuthenticateAsServerAsync(SslServerAuthenticationOptions options, TimeSpan timeout, TimeProvider time, CancellationToken stopping) =>
        HandshakeAsync(ct => _ssl.AuthenticateAsServerAsync(options, ct), timeout, time, stopping);

    /// <summary>Runs the client side of the handshake within <paramref name="timeout"/>; returns the error if it failed.</summary>
    public Task<Exception?> AuthenticateAsClientAsync(SslClientAuthenticationOptions options, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken) =>
        HandshakeAsync(ct => _ssl.AuthenticateAsClientAsync(options, ct), timeout, time, cancellationToken);

    public override void Start(ITransportObserver observer)
    {
        _observer = observer;
        if (Interlocked.Exchange(ref _started, 1) == 0)
        {
            _readPump = ReadPumpAsync();
            _writePump = WritePumpAsync();
        }
    }

    public override void Abort()
    {
        if (Interlocked.Exchange(ref _aborted, 1) == 0)
        {
            _tcp.Abort();
            _output.Reader.CancelPendingRead();
        }
    }

    public override async Task ShutdownAsync(bool graceful, TimeSpan drainTimeout, TimeProvider timeProvider)
    {
        var deadline = new Deadline(timeProvider, drainTimeout);
        if (graceful)
        {
            try
            {
                // The write pump sends what is buffered, then close_notify, then completes the TCP output (FIN).
                await deadline.WaitAsync(_writePump).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                Abort();
            }
        }
        else
        {
            Abort();
        }

        await _tcp.Output.CompleteAsync().ConfigureAwait(false); // in case the write pump ended early: the TCP side must not wait for it
        await _tcp.ShutdownAsync(graceful && Volatile.Read(ref _aborted) == 0, deadline.Remaining, timeProvider).ConfigureAwait(false);
        await _writePump.ConfigureAwait(false);
        await _readPump.ConfigureAwait(false);
        await _ssl.DisposeAsync().ConfigureAwait(false);
    }

    void ITransportObserver.OnReceived(int bytes) => _observer?.OnReceived(bytes); // encrypted bytes are activity too

    void ITransportObserver.OnSent(long bytes)
    {
        // Encrypted bytes sent: the send buffer is counted in plain bytes by the write pump.
    }

    void ITransportObserver.OnEnded(TransportEnding ending, Exception? error)
    {
        // The end of the TCP stream is not yet the end of the plain one: the read pump reports that once it has decrypted everything.
        if (ending != TransportEnding.PeerFinished)
        {
            _observer?.OnEnded(ending, error);
        }
    }

    private async Task<Exception?> HandshakeAsync(Func<CancellationToken, Task> handshake, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        _tcp.Start(this);
        using var deadline = timeout == Timeout.InfiniteTimeSpan ? new CancellationTokenSource() : new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, cancellationToken);
        try
        {
            await handshake(linked.Token).ConfigureAwait(false);
            _info = new TlsConnectionInfo(_ssl);
            _encrypted.ReadGate = _sslGate; // from now on reads and the shutdown are kept apart
            return null;
        }
        catch (Exception e)
        {
            // Any exception: a user's callback (certificate selector, validation) may throw anything, and the
            // connection must still be released.
            Abort();
            await _tcp.Output.CompleteAsync().ConfigureAwait(false); // the TCP send loop ends only when its pipe does
            await _tcp.Input.CompleteAsync().ConfigureAwait(false);
            await _tcp.ShutdownAsync(graceful: false, TimeSpan.Zero, time).ConfigureAwait(false);
            await _ssl.DisposeAsync().ConfigureAwait(false);
            return deadline.IsCancellationRequested
                ? new TimeoutException(FormattableString.Invariant($"The TLS handshake did not complete within {timeout}."), e)
                : e;
        }
    }

    /// <summary>Decrypted bytes into the connection's input pipe; a zero-byte read first, so waiting holds no buffer.</summary>
    private async Task ReadPumpAsync()
    {
        var writer = _input.Writer;
        var finished = false;
        try
        {
            while (true)
            {
                await GatedReadAsync(Memory<byte>.Empty).ConfigureAwait(false);
                var memory = writer.GetMemory(_segmentSize);
                var read = await GatedReadAsync(memory).ConfigureAwait(false);
                if (read == 0)
                {
                    finished = true; // close_notify or the end of the TCP stream
                    break;
                }

                writer.Advance(read);
                var flush = await writer.FlushAsync().ConfigureAwait(false);
                if (flush.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            // The TCP transport reports resets itself; a torn TLS record after a reset or our own abort lands here.
        }
        catch (AuthenticationException e)
        {
            // A TLS alert after the handshake (for example, a TLS 1.3 server refusing our certificate).
            _observer!.OnEnded(TransportEnding.Failed, e);
        }
        finally
        {
            await writer.CompleteAsync().ConfigureAwait(false);
        }

        if (finished)
        {
            _observer!.OnEnded(TransportEnding.PeerFinished, null);
        }
    }

    /// <summary>A read of the TLS stream inside the gate; the gate is let go while the read waits for bytes.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))] // suspends once per batch of records: no allocation
    private async ValueTask<int> GatedReadAsync(Memory<byte> buffer)
    {
        await _sslGate.WaitAsync().ConfigureAwait(false);
        try
        {
            return await _ssl.ReadAsync(buffer).ConfigureAwait(false);
        }
        finally
        {
            _sslGate.Release();
        }
    }

    /// <summary>Plain bytes from the connection's output pipe through TLS; at the end, close_notify and the TCP FIN.</summary>
    private async Task WritePumpAsync()
    {
        var reader = _output.Reader;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync().ConfigureAwait(false);
                var buffer = result.Buffer;
                if (Volatile.Read(ref _aborted) != 0)
                {
                    break;
                }

                foreach (var segment in buffer)
                {
                    await _ssl.WriteAsync(segment).ConfigureAwait(false);
                }

                if (!buffer.IsEmpty)
                {
                    await _ssl.FlushAsync().ConfigureAwait(false);
                    _observer!.OnSent(buffer.Length);
                }

                reader.AdvanceTo(buffer.End);
                if (result.IsCompleted)
                {
                    await _sslGate.WaitAsync().ConfigureAwait(false);
                    try
                    {
                        await _ssl.ShutdownAsync().ConfigureAwait(false); // close_notify
                    }
                    finally
                    {
                        _sslGate.Release();
                    }

                    await _tcp.Output.CompleteAsync().ConfigureAwait(false);
                    break;
                }

                if (result.IsCanceled)
                {
                    break;
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The TCP side is gone (reset or abort); the TCP transport has reported why.
        }
        catch (AuthenticationException e)
        {
            _observer!.OnEnded(TransportEnding.Failed, e);
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
        }
    }
}
