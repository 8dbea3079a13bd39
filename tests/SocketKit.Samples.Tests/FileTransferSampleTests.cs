using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using FileTransfer;
using SocketKit.Tcp;

namespace SocketKit.Samples.Tests;

[Collection(nameof(SampleTests))]
public sealed class FileTransferSampleTests
{
    [Fact]
    public async Task A_50_MiB_file_goes_up_and_comes_back_byte_exact()
    {
        await using var transfer = await FileTransferTest.StartAsync();
        var original = transfer.CreateClientFile("big.bin", 50 * 1024 * 1024);

        await using (var client = await transfer.ConnectAsync())
        {
            Assert.Equal(Sha256(original), await client.UploadAsync(original, TestContext.Current.CancellationToken));
            Assert.Equal([("big.bin", 50L * 1024 * 1024)], await client.ListAsync(TestContext.Current.CancellationToken));
        }

        var copy = Path.Combine(transfer.ClientFolder, "copy.bin");
        await using (var client = await transfer.ConnectAsync())
        {
            await client.DownloadAsync("big.bin", copy, TestContext.Current.CancellationToken);
        }

        Assert.Equal(await File.ReadAllBytesAsync(original, TestContext.Current.CancellationToken), await File.ReadAllBytesAsync(copy, TestContext.Current.CancellationToken));
        Assert.Equal(["big.bin"], Directory.GetFiles(transfer.Root).Select(Path.GetFileName)); // no partial file left
    }

    [Fact]
    public async Task An_upload_cut_off_midway_resumes_from_the_bytes_the_server_kept()
    {
        await using var transfer = await FileTransferTest.StartAsync();
        var original = transfer.CreateClientFile("data.bin", 20 * 1024 * 1024);
        var bytes = await File.ReadAllBytesAsync(original, TestContext.Current.CancellationToken);
        var sha256 = Sha256(original);

        // A client that starts the upload, sends 7 MiB of it, and vanishes.
        using (var raw = await RawTransferClient.ConnectAsync(transfer.EndPoint))
        {
            await raw.SendLineAsync($"UPLOAD {bytes.Length} {sha256} data.bin");
            Assert.Equal("READY 0", await raw.ReadLineAsync());
            await raw.SendLineAsync($"DATA {bytes.Length}");
            await raw.SendAsync(bytes.AsMemory(0, 7 * 1024 * 1024));
        }

        await transfer.AllConnectionsClosedAsync();
        Assert.Empty(transfer.ServedNames()); // nothing under the name until the whole file hashed right
        var output = new StringWriter();
        await using (var resumed = await transfer.ConnectAsync(output))
        {
            Assert.Equal(sha256, await resumed.UploadAsync(original, TestContext.Current.CancellationToken));
        }

        Assert.Contains("upload data.bin: 100% 20.0 of 20.0 MiB (resumed at 7.0 MiB)", output.ToString(), StringComparison.Ordinal);

        Assert.Equal(bytes, await File.ReadAllBytesAsync(Path.Combine(transfer.Root, "data.bin"), TestContext.Current.CancellationToken));
        Assert.Equal(["data.bin"], Directory.GetFiles(transfer.Root).Select(Path.GetFileName));
    }

    [Fact]
    public async Task A_download_resumes_from_its_partial_file_and_a_partial_that_does_not_match_is_thrown_away()
    {
        await using var transfer = await FileTransferTest.StartAsync();
        var served = transfer.CreateServedFile("video.bin", 12 * 1024 * 1024);
        var bytes = await File.ReadAllBytesAsync(served, TestContext.Current.CancellationToken);
        var output = Path.Combine(transfer.ClientFolder, "video.bin");

        await File.WriteAllBytesAsync(output + ".part", bytes[..(5 * 1024 * 1024)], TestContext.Current.CancellationToken); // an earlier, interrupted download
        var progress = new StringWriter();
        await using (var client = await transfer.ConnectAsync(progress))
        {
            await client.DownloadAsync("video.bin", output, TestContext.Current.CancellationToken);
        }

        Assert.Contains("download video.bin: 100% 12.0 of 12.0 MiB (resumed at 5.0 MiB)", progress.ToString(), StringComparison.Ordinal);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(output, TestContext.Current.CancellationToken));
        Assert.False(File.Exists(output + ".part"));

        // A partial file of something else: the resumed download cannot hash right, says so, and removes it.
        var other = Path.Combine(transfer.ClientFolder, "other.bin");
        await File.WriteAllBytesAsync(other + ".part", new byte[1024], TestContext.Current.CancellationToken);
        await using (var client = await transfer.ConnectAsync())
        {
            var error = await Assert.ThrowsAsync<TransferException>(() => client.DownloadAsync("video.bin", other, TestContext.Current.CancellationToken));
            Assert.Contains("does not hash right", error.Message, StringComparison.Ordinal);
        }

        Assert.False(File.Exists(other + ".part"));
        Assert.False(File.Exists(other));
    }

    [Theory]
    [InlineData("../outside.txt")]
    [InlineData("/etc/hostname")]
    [InlineData("sub/dir.txt")]
    [InlineData("..")]
    [InlineData(".hidden")]
    [InlineData("link.txt")]
    public async Task Names_that_leave_the_served_folder_are_refused(string name)
    {
        await using var transfer = await FileTransferTest.StartAsync();
        var secret = Path.Combine(transfer.ClientFolder, "secret.txt");
        await File.WriteAllTextAsync(secret, "not for you", TestContext.Current.CancellationToken);
        File.CreateSymbolicLink(Path.Combine(transfer.Root, "link.txt"), secret); // a link leading out of the root

        using var raw = await RawTransferClient.ConnectAsync(transfer.EndPoint);
        await raw.SendLineAsync($"DOWNLOAD 0 {name}");
        Assert.StartsWith("ERR ", await raw.ReadLineAsync(), StringComparison.Ordinal);
        await raw.SendLineAsync($"UPLOAD 3 {new string('a', 64)} {name}");
        Assert.StartsWith("ERR ", await raw.ReadLineAsync(), StringComparison.Ordinal);

        Assert.Equal(["link.txt"], Directory.GetFiles(transfer.Root).Select(Path.GetFileName)); // nothing written anywhere
        Assert.False(File.Exists(Path.Combine(Path.GetDirectoryName(transfer.Root)!, "outside.txt")));
    }

    /// <summary>
    /// Names up to 255 UTF-8 bytes upload (the partial file's name no longer grows with the final one), a longer one is
    /// refused as too long (counted in bytes: 128 'é' are 128 characters but 256 bytes), and neither blames another user.
    /// </summary>
    [Theory]
    [InlineData(255, 'a', true)]
    [InlineData(233, 'a', true)]
    [InlineData(127, '\u00e9', true)] // 254 bytes, and one more ASCII letter below
    [InlineData(128, '\u00e9', false)]
    [InlineData(256, 'a', false)]
    public async Task A_name_of_up_to_255_bytes_uploads_and_a_longer_one_is_refused_as_such(int count, char letter, bool fits)
    {
        await using var transfer = await FileTransferTest.StartAsync();
        var name = new string(letter, count) + (letter == 'a' ? "" : fits ? "x" : "");
        var content = "hello"u8.ToArray();
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(content));
        using var raw = await RawTransferClient.ConnectAsync(transfer.EndPoint);

        await raw.SendLineAsync($"UPLOAD {content.Length} {sha256} {name}");
        var answer = await raw.ReadLineAsync();

        if (!fits)
        {
            Assert.Equal($"ERR not a plain file name: {name}", answer);
            return;
        }

        Assert.Equal("READY 0", answer);
        await raw.SendLineAsync($"DATA {content.Length}");
        await raw.SendAsync(content);
        Assert.Equal($"OK {sha256}", await raw.ReadLineAsync());
        Assert.Equal(content, await File.ReadAllBytesAsync(Path.Combine(transfer.Root, name), TestContext.Current.CancellationToken));
        Assert.Equal([name], transfer.ServedNames());
    }

    [Fact]
    public async Task A_second_upload_of_the_same_content_at_the_same_time_is_refused_as_a_conflict()
    {
        await using var transfer = await FileTransferTest.StartAsync();
        var sha256 = Convert.ToHexStringLower(SHA256.HashData("hello"u8));
        using var first = await RawTransferClient.ConnectAsync(transfer.EndPoint);
        using var second = await RawTransferClient.ConnectAsync(transfer.EndPoint);

        await first.SendLineAsync($"UPLOAD 5 {sha256} same.txt");
        Assert.Equal("READY 0", await first.ReadLineAsync());
        await second.SendLineAsync($"UPLOAD 5 {sha256} same.txt");

        Assert.Equal("ERR same.txt is being uploaded by someone else", await second.ReadLineAsync());
    }

    [Fact]
    public async Task An_upload_that_does_not_hash_right_leaves_nothing_behind()
    {
        await using var transfer = await FileTransferTest.StartAsync();
        using var raw = await RawTransferClient.ConnectAsync(transfer.EndPoint);

        await raw.SendLineAsync($"UPLOAD 5 {new string('0', 64)} lies.txt");
        Assert.Equal("READY 0", await raw.ReadLineAsync());
        await raw.SendLineAsync("DATA 5");
        await raw.SendAsync("hello"u8.ToArray());

        Assert.StartsWith("ERR hash mismatch", await raw.ReadLineAsync(), StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(transfer.Root));
    }

    [Fact]
    public async Task Different_files_upload_at_the_same_time()
    {
        await using var transfer = await FileTransferTest.StartAsync();
        var files = Enumerable.Range(0, 4).Select(i => transfer.CreateClientFile($"f{i}.bin", (3 + i) * 1024 * 1024)).ToArray();

        await Task.WhenAll(files.Select(async file =>
        {
            await using var client = await transfer.ConnectAsync();
            await client.UploadAsync(file, TestContext.Current.CancellationToken);
        }));

        foreach (var file in files)
        {
            Assert.Equal(await File.ReadAllBytesAsync(file, TestContext.Current.CancellationToken), await File.ReadAllBytesAsync(Path.Combine(transfer.Root, Path.GetFileName(file)), TestContext.Current.CancellationToken));
        }
    }

    [Fact]
    public async Task A_download_in_progress_keeps_sending_the_version_it_started_with_when_an_upload_replaces_it()
    {
        await using var transfer = await FileTransferTest.StartAsync();
        var served = transfer.CreateServedFile("doc.bin", 8 * 1024 * 1024);
        var before = await File.ReadAllBytesAsync(served, TestContext.Current.CancellationToken);
        var replacement = transfer.CreateClientFile("doc.bin", 3 * 1024 * 1024);

        using var downloader = await RawTransferClient.ConnectAsync(transfer.EndPoint, receiveBufferSize: 64 * 1024);
        await downloader.SendLineAsync("DOWNLOAD 0 doc.bin");
        var header = (await downloader.ReadLineAsync()).Split(' ');
        Assert.Equal(("DATA", before.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)), (header[0], header[1]));
        await using (var client = await transfer.ConnectAsync())
        {
            await client.UploadAsync(replacement, TestContext.Current.CancellationToken); // replaces the name while the download runs
        }

        Assert.Equal(before, await downloader.ReadExactlyAsync(before.Length)); // the old version, whole
        Assert.Equal(header[3], Convert.ToHexStringLower(SHA256.HashData(before)));
        Assert.Equal(await File.ReadAllBytesAsync(replacement, TestContext.Current.CancellationToken), await File.ReadAllBytesAsync(served, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task The_server_runs_with_stdin_closed_and_stops_gracefully_on_sigterm()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS(), "SIGTERM is a Unix signal.");
        using var folder = new TempDirectory();
        using var server = SampleProcess.Start("FileTransfer", ["serve", "--port", "0", "--root", folder.Path]);
        var banner = await server.ReadLineStartingWithAsync("serving ");
        var endPoint = IPEndPoint.Parse(banner.Split(" on ")[1].Split(';')[0]);
        await using (var client = await TransferClient.ConnectAsync(endPoint, TextWriter.Null, TestContext.Current.CancellationToken))
        {
            Assert.Empty(await client.ListAsync(TestContext.Current.CancellationToken));
        }

        var (exitCode, _) = await server.TerminateAsync();
        Assert.Equal(0, exitCode);
    }

    private static string Sha256(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    /// <summary>A server on a free loopback port serving a temporary folder, and a client folder beside it.</summary>
    private sealed class FileTransferTest(TcpServer<ReadOnlySequence<byte>, string> server, TempDirectory folder) : IAsyncDisposable
    {
        public string Root => Path.Combine(folder.Path, "served");

        public string ClientFolder => Path.Combine(folder.Path, "client");

        public IPEndPoint EndPoint => server.EndPoints[0];

        public static async Task<FileTransferTest> StartAsync()
        {
            var folder = new TempDirectory();
            Directory.CreateDirectory(Path.Combine(folder.Path, "served"));
            Directory.CreateDirectory(Path.Combine(folder.Path, "client"));
            var server = TransferServer.Create(new IPEndPoint(IPAddress.Loopback, 0), Path.Combine(folder.Path, "served"));
            await server.StartAsync(TestContext.Current.CancellationToken);
            return new FileTransferTest(server, folder);
        }

        public Task<TransferClient> ConnectAsync(TextWriter? output = null) =>
            TransferClient.ConnectAsync(EndPoint, output ?? TextWriter.Null, TestContext.Current.CancellationToken);

        public string CreateClientFile(string name, int size) => Create(Path.Combine(ClientFolder, name), size);

        public string CreateServedFile(string name, int size) => Create(Path.Combine(Root, name), size);

        public IEnumerable<string> ServedNames() => new ServedFolder(Root).Files().Select(f => f.Name);

        /// <summary>Completes when every connection the server had is finished (its handler released).</summary>
        public Task<SocketKit.Connections.CloseInfo[]> AllConnectionsClosedAsync() =>
            AsyncAssert.Within(Task.WhenAll(server.Connections.Select(c => c.Completion)), "the server's connections to close");

        public async ValueTask DisposeAsync()
        {
            await server.DisposeAsync();
            folder.Dispose();
        }

        private static string Create(string path, int size)
        {
            var bytes = new byte[size];
            new Random(size).NextBytes(bytes);
            File.WriteAllBytes(path, bytes);
            return path;
        }
    }

    /// <summary>A client that speaks the protocol by hand, to do what the sample's client never would.</summary>
    private sealed class RawTransferClient : IDisposable
    {
        private readonly Socket _socket;
        private readonly List<byte> _buffered = new();

        private RawTransferClient(Socket socket) => _socket = socket;

        public static async Task<RawTransferClient> ConnectAsync(IPEndPoint endPoint, int? receiveBufferSize = null)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            if (receiveBufferSize is { } size)
            {
                socket.ReceiveBufferSize = size;
            }

            await socket.ConnectAsync(endPoint).WaitAsync(TimeSpan.FromSeconds(10));
            return new RawTransferClient(socket);
        }

        public Task SendLineAsync(string line) => SendAsync(Encoding.UTF8.GetBytes(line + "\n"));

        public async Task SendAsync(ReadOnlyMemory<byte> bytes)
        {
            while (!bytes.IsEmpty)
            {
                var sent = await _socket.SendAsync(bytes, SocketFlags.None).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
                bytes = bytes[sent..];
            }
        }

        public async Task<string> ReadLineAsync()
        {
            int end;
            while ((end = _buffered.IndexOf((byte)'\n')) < 0)
            {
                await FillAsync();
            }

            var line = Encoding.UTF8.GetString(_buffered.GetRange(0, end).ToArray());
            _buffered.RemoveRange(0, end + 1);
            return line;
        }

        public async Task<byte[]> ReadExactlyAsync(int count)
        {
            while (_buffered.Count < count)
            {
                await FillAsync();
            }

            var bytes = _buffered.GetRange(0, count).ToArray();
            _buffered.RemoveRange(0, count);
            return bytes;
        }

        public void Dispose() => _socket.Dispose();

        private async Task FillAsync()
        {
            var buffer = new byte[256 * 1024];
            var read = await _socket.ReceiveAsync(buffer, SocketFlags.None).WaitAsync(TimeSpan.FromSeconds(10));
            Assert.True(read > 0, "the server closed the connection");
            _buffered.AddRange(buffer.AsSpan(0, read));
        }
    }
}
