using System.Buffers;

namespace SocketKit.Connections;

// Sending a region of a file: from the kernel where the transport can (plain TCP), else copied through the send buffer.
public sealed partial class Connection<TIn, TOut>
{
    private const int FileChunk = 1024 * 1024; // a chunk that cannot leave in a write timeout means the peer does not read

    /// <summary>
    /// Sends <paramref name="count"/> bytes of the file at <paramref name="path"/>, from <paramref name="offset"/>, as raw bytes
    /// after everything sent before them and outside the codec's framing: send a message first that tells the peer how
    /// many bytes follow. Over plain TCP the bytes go from the kernel (<c>sendfile</c>, no copy through user space); over
    /// TLS, which must encrypt them, and in memory they are read and copied through the send buffer under its policy.
    /// Completes when the OS has taken the last byte. Other sends wait until it is done; the write timeout applies to
    /// each 1 MiB chunk.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="offset">Where in the file to start. Defaults to 0.</param>
    /// <param name="count">How many bytes; <see langword="null"/> for the rest of the file.</param>
    /// <param name="cancellationToken">Cancels waiting to start and between chunks; bytes already sent stay sent.</param>
    /// <returns>A task that completes when the region is sent.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The region is not inside the file.</exception>
    /// <exception cref="NotSupportedException">The connection carries datagrams (a UDP session).</exception>
    /// <exception cref="ConnectionClosedException">The connection is closing or closed.</exception>
    public async Task SendFileAsync(string path, long offset = 0, long? count = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (_datagrams)
        {
            throw new NotSupportedException("A UDP session sends messages, one per datagram; it cannot stream a file.");
        }

        ThrowIfClosing();
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await using (file.ConfigureAwait(false))
        {
            ArgumentOutOfRangeException.ThrowIfNegative(offset);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(offset, file.Length);
            var length = count ?? file.Length - offset;
            ArgumentOutOfRangeException.ThrowIfNegative(length, nameof(count));
            ArgumentOutOfRangeException.ThrowIfGreaterThan(length, file.Length - offset, nameof(count));
            await EndOwnBatchAsync().ConfigureAwait(false);
            await SendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                ThrowIfClosing();
                ThrowIfOutputCompleted();
                if (_transport.CanSendFile)
                {
                    await DrainAsync(cancellationToken).ConfigureAwait(false); // the kernel's bytes must follow the pipe's
                    await SendFileFromKernelAsync(file, offset, length, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await CopyFileAsync(file, offset, length, cancellationToken).ConfigureAwait(false);
                }
            }
            finally
            {
                SendLock.Release();
            }
        }
    }

    private async Task SendFileFromKernelAsync(FileStream file, long offset, long length, CancellationToken cancellationToken)
    {
        for (var sent = 0L; sent < length;)
        {
            cancellationToken.ThrowIfCancellationRequested();
            ThrowIfClosing();
            var chunk = (int)Math.Min(FileChunk, length - sent);
            Volatile.Write(ref _waitingForRoomSince, _time.GetTimestamp()); // the tick resets a peer that takes no chunk in time
            try
            {
                await _transport.SendFileAsync(file, offset + sent, chunk).ConfigureAwait(false);
            }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or ObjectDisposedException)
            {
                ThrowIfClosing(); // closed under us (reset, write timeout): say why
                throw;
            }
            finally
            {
                Volatile.Write(ref _waitingForRoomSince, 0);
            }

            sent += chunk;
            _bytesOut += chunk;
            _lastSend = _time.GetTimestamp();
        }
    }

    private async Task CopyFileAsync(FileStream file, long offset, long length, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(64 * 1024, Math.Max(1, length)));
        try
        {
            file.Position = offset;
            for (var left = length; left > 0;)
            {
                var read = await file.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    throw new EndOfStreamException($"The file ended {left} bytes before the region did.");
                }

                ThrowIfClosing();
                await WaitForRoomAsync(cancellationToken).ConfigureAwait(false);
                _transport.Output.Write(buffer.AsSpan(0, read));
                await CommitAsync(read).ConfigureAwait(false);
                left -= read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
