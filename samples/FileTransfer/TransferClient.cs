using System.Buffers;
using System.Net;
using SocketKit.Connections;
using SocketKit.Tcp;

namespace FileTransfer;

/// <summary>The client commands: list, upload (resumable), download (resumable), each on its own connection.</summary>
public sealed class TransferClient : IAsyncDisposable
{
    private readonly Connection<ReadOnlySequence<byte>, string> _connection;
    private readonly IAsyncEnumerator<ReadOnlySequence<byte>> _incoming;
    private readonly TextWriter _output;

    private TransferClient(Connection<ReadOnlySequence<byte>, string> connection, TextWriter output, CancellationToken cancellationToken)
    {
        _connection = connection;
        _incoming = connection.ReadAllAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
        _output = output;
    }

    public static async Task<TransferClient> ConnectAsync(EndPoint server, TextWriter output, CancellationToken cancellationToken) =>
        new(await TcpConnector.ConnectAsync(server, TransferProtocol.Codec, cancellationToken: cancellationToken), output, cancellationToken);

    public async Task<IReadOnlyList<(string Name, long Size)>> ListAsync(CancellationToken cancellationToken)
    {
        await _connection.SendAsync("LIST", cancellationToken);
        var files = new List<(string, long)>();
        while (await ReadLineAsync() is var line && line != "END")
        {
            var words = TransferProtocol.Split(line, 3);
            files.Add((words[2], long.Parse(words[1], System.Globalization.CultureInfo.InvariantCulture)));
        }

        return files;
    }

    /// <summary>Uploads a file; a partial upload of the same file on the server is resumed. Returns its SHA-256.</summary>
    public async Task<string> UploadAsync(string path, CancellationToken cancellationToken)
    {
        var name = Path.GetFileName(path);
        var size = new FileInfo(path).Length;
        var sha256 = await TransferProtocol.HashAsync(path, cancellationToken);
        await _connection.SendAsync($"UPLOAD {size} {sha256} {name}", cancellationToken);
        var have = long.Parse(Expect(await ReadLineAsync(), "READY")[1], System.Globalization.CultureInfo.InvariantCulture);
        await _connection.SendAsync($"DATA {size - have}", cancellationToken);
        await TransferProgress.RunAsync($"upload {name}", size, have, _output, async report =>
        {
            // In blocks, so progress shows; each block leaves from the page cache through the kernel (sendfile).
            for (var offset = have; offset < size;)
            {
                var block = Math.Min(8 * 1024 * 1024, size - offset);
                await _connection.SendFileAsync(path, offset, block, cancellationToken);
                offset += block;
                report(block);
            }

            return 0;
        });
        var reply = Expect(await ReadLineAsync(), "OK");
        return reply[1];
    }

    /// <summary>Downloads a file into <paramref name="output"/>, resuming from <c>output.part</c> if an earlier download stopped.</summary>
    public async Task<string> DownloadAsync(string name, string output, CancellationToken cancellationToken)
    {
        var partial = output + ".part";
        var have = File.Exists(partial) ? new FileInfo(partial).Length : 0;
        await _connection.SendAsync($"DOWNLOAD {have} {name}", cancellationToken);
        var data = Expect(await ReadLineAsync(), "DATA");
        var (length, size, sha256) = (long.Parse(data[1], System.Globalization.CultureInfo.InvariantCulture), long.Parse(data[2], System.Globalization.CultureInfo.InvariantCulture), data[3]);
        await using (var file = new FileStream(partial, FileMode.Append, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous))
        {
            await TransferProgress.RunAsync($"download {name}", size, have, _output, async report =>
            {
                for (var left = length; left > 0;)
                {
                    var chunk = await NextAsync();
                    foreach (var segment in chunk)
                    {
                        await file.WriteAsync(segment, cancellationToken); // before the next read: the chunk is the receive buffer
                    }

                    left -= chunk.Length;
                    report(chunk.Length);
                }

                return 0;
            });
        }

        var got = await TransferProtocol.HashAsync(partial, cancellationToken);
        if (got != sha256)
        {
            File.Delete(partial);
            throw new TransferException($"{name} does not hash right (it changed on the server?); run the download again");
        }

        File.Move(partial, output, overwrite: true);
        return sha256;
    }

    public async ValueTask DisposeAsync()
    {
        await _incoming.DisposeAsync();
        await _connection.DisposeAsync();
    }

    private async Task<ReadOnlySequence<byte>> NextAsync() =>
        await _incoming.MoveNextAsync() ? _incoming.Current : throw new TransferException("the server closed the connection");

    private async Task<string> ReadLineAsync() => TransferProtocol.Text(await NextAsync());

    private static string[] Expect(string line, string word)
    {
        if (line.StartsWith("ERR ", StringComparison.Ordinal))
        {
            throw new TransferException(line[4..]);
        }

        var words = line.Split(' ');
        return words[0] == word ? words : throw new TransferException($"unexpected reply: {line}");
    }
}
