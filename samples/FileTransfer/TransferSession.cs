using System.Buffers;
using SocketKit.Codecs;
using SocketKit.Connections;

namespace FileTransfer;

/// <summary>
/// One client's session on the server (a handler per connection, from <see cref="TransferSessions"/>): answers LIST and
/// DOWNLOAD, and receives an UPLOAD's body into a hidden partial file that takes its name only once it hashes right.
/// </summary>
public sealed class TransferSession(ServedFolder folder) : ConnectionHandler<ReadOnlySequence<byte>, string>
{

    private Upload? _upload;
    private long _bodyLeft;

    public override async ValueTask OnMessageAsync(Connection<ReadOnlySequence<byte>, string> connection, ReadOnlySequence<byte> frame, CancellationToken closing)
    {
        if (_bodyLeft > 0)
        {
            await ReceiveAsync(connection, frame, closing);
            return;
        }

        var line = TransferProtocol.Text(frame);
        try
        {
            var words = TransferProtocol.Split(line, 2);
            switch (words[0])
            {
                case "LIST":
                    foreach (var file in folder.Files())
                    {
                        await connection.SendAsync($"FILE {file.Length} {file.Name}", closing);
                    }

                    await connection.SendAsync("END", closing);
                    break;
                case "DOWNLOAD" when words.Length == 2 && TransferProtocol.Split(words[1], 2) is [var offsetText, var name] && long.TryParse(offsetText, out var offset):
                    await DownloadAsync(connection, name, offset, closing);
                    break;
                case "UPLOAD" when words.Length == 2 && TransferProtocol.Split(words[1], 3) is [var sizeText, var sha256, var name] && long.TryParse(sizeText, out var size):
                    await StartUploadAsync(connection, name, size, sha256, closing);
                    break;
                case "DATA" when _upload is not null && TransferProtocol.TryParseData(frame, out var length):
                    if (length != _upload.Size - _upload.File.Length)
                    {
                        throw new MalformedFrameException($"DATA {length}: the upload needs {_upload.Size - _upload.File.Length} more bytes.");
                    }

                    _bodyLeft = length;
                    if (length == 0)
                    {
                        await FinishUploadAsync(connection, closing);
                    }

                    break;
                default:
                    throw new MalformedFrameException($"Not a request: {line}"); // closes this connection only
            }
        }
        catch (TransferException e)
        {
            await connection.SendAsync($"ERR {e.Message}", closing);
        }
    }

    public override async ValueTask OnDisconnectedAsync(Connection<ReadOnlySequence<byte>, string> connection, CloseInfo closeInfo, CancellationToken cancellationToken)
    {
        if (_upload is not null)
        {
            await _upload.File.DisposeAsync(); // the partial file stays: the same upload resumes from it
        }
    }

    private async Task DownloadAsync(Connection<ReadOnlySequence<byte>, string> connection, string name, long offset, CancellationToken closing)
    {
        var path = folder.Resolve(name);
        if (!File.Exists(path))
        {
            throw new TransferException($"no such file: {name}");
        }

        var size = new FileInfo(path).Length;
        if (offset < 0 || offset > size)
        {
            throw new TransferException($"offset {offset} is outside {name} ({size} bytes)");
        }

        var sha256 = await folder.HashAsync(path, closing);
        await connection.SendAsync($"DATA {size - offset} {size} {sha256}", closing);
        // The body goes from the page cache to the socket in the kernel (sendfile), from the offset a resumed download asks for.
        await connection.SendFileAsync(path, offset, size - offset, closing);
    }

    private async Task StartUploadAsync(Connection<ReadOnlySequence<byte>, string> connection, string name, long size, string sha256, CancellationToken closing)
    {
        var path = folder.Resolve(name);
        if (size < 0 || sha256.Length != 64 || !sha256.All(char.IsAsciiHexDigitLower))
        {
            throw new TransferException("UPLOAD needs a size and a lowercase hex SHA-256");
        }

        if (_upload is not null)
        {
            throw new TransferException("one upload at a time");
        }

        var partial = folder.PartialUpload(name, sha256);
        FileStream file;
        try
        {
            file = new FileStream(partial, FileMode.Append, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous);
        }
        catch (IOException e) when (IsSharingViolation(e))
        {
            throw new TransferException($"{name} is being uploaded by someone else"); // the same content, at the same time
        }
        catch (IOException e)
        {
            throw new TransferException($"cannot store {name}: {e.Message}");
        }

        if (file.Length > size)
        {
            file.SetLength(0); // not a prefix of this file: start over
        }

        _upload = new Upload(name, path, partial, size, sha256, file);
        await connection.SendAsync($"READY {file.Length}", closing);
    }

    private async Task ReceiveAsync(Connection<ReadOnlySequence<byte>, string> connection, ReadOnlySequence<byte> chunk, CancellationToken closing)
    {
        foreach (var segment in chunk)
        {
            await _upload!.File.WriteAsync(segment, closing); // awaited: a slow disk slows this client's reads, nobody else's
        }

        _bodyLeft -= chunk.Length;
        if (_bodyLeft == 0)
        {
            await FinishUploadAsync(connection, closing);
        }
    }

    private async Task FinishUploadAsync(Connection<ReadOnlySequence<byte>, string> connection, CancellationToken closing)
    {
        var upload = _upload!;
        _upload = null;
        await upload.File.DisposeAsync();
        var sha256 = await TransferProtocol.HashAsync(upload.Partial, closing);
        if (sha256 != upload.Sha256)
        {
            File.Delete(upload.Partial); // nothing of a bad upload stays behind
            await connection.SendAsync($"ERR hash mismatch: got {sha256}", closing);
            return;
        }

        File.Move(upload.Partial, upload.Path, overwrite: true); // atomic: a download in progress keeps the old file
        await connection.SendAsync($"OK {sha256}", closing);
    }

    /// <summary>
    /// Another stream holds the file with FileShare.None: ERROR_SHARING_VIOLATION on Windows; on Unix .NET takes an
    /// flock, whose refusal is EWOULDBLOCK (11 on Linux, 35 on macOS).
    /// </summary>
    private static bool IsSharingViolation(IOException e) =>
        e.HResult == unchecked((int)0x80070020) || (!OperatingSystem.IsWindows() && e.HResult == (OperatingSystem.IsMacOS() ? 35 : 11));

    private sealed record Upload(string Name, string Path, string Partial, long Size, string Sha256, FileStream File);
}

/// <summary>A session per connection, all serving the same folder.</summary>
public sealed class TransferSessions(ServedFolder folder) : IConnectionHandlerFactory<ReadOnlySequence<byte>, string>
{
    public ConnectionHandler<ReadOnlySequence<byte>, string> Create(SocketKit.FiveTuple tuple) => new TransferSession(folder);

    public ValueTask ReleaseAsync(ConnectionHandler<ReadOnlySequence<byte>, string> handler, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
