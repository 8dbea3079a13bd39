using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using SocketKit.Codecs;

namespace FileTransfer;

/// <summary>
/// The file-transfer protocol: UTF-8 control lines, each file body right after a <c>DATA n</c> line.
/// <list type="bullet">
/// <item><c>LIST</c> → <c>FILE size name</c> per file, then <c>END</c></item>
/// <item><c>DOWNLOAD offset name</c> → <c>DATA n size sha256</c> and the n bytes of the file from offset (a resumed
/// download asks for the rest), or <c>ERR message</c></item>
/// <item><c>UPLOAD size sha256 name</c> → <c>READY have</c> (the bytes of this very file the server already holds from an
/// interrupted upload); the client sends <c>DATA n</c> and the n bytes from <c>have</c> → <c>OK sha256</c> once the
/// whole file hashed right and took its name, or <c>ERR message</c></item>
/// </list>
/// </summary>
public static class TransferProtocol
{
    /// <summary>Bytes in, control lines out: bodies are sent as file regions, not encoded.</summary>
    public static Codec<ReadOnlySequence<byte>, string> Codec { get; } =
        new(new FramerFactory(() => new TransferFramer()), BytesCodec.Instance, Utf8TextCodec.Instance);

    /// <summary>Whether a line is <c>DATA n ...</c>, and n (what the framer and both ends need to know).</summary>
    public static bool TryParseData(ReadOnlySequence<byte> line, out long length)
    {
        length = 0;
        Span<byte> head = stackalloc byte[25];
        var take = (int)Math.Min(line.Length, head.Length);
        line.Slice(0, take).CopyTo(head);
        head = head[..take];
        if (!head.StartsWith("DATA "u8))
        {
            return false;
        }

        var digits = head[5..];
        var space = digits.IndexOf((byte)' ');
        return Utf8Parser.TryParse(space < 0 ? digits : digits[..space], out length, out var used) && used > 0 && length >= 0;
    }

    /// <summary>A control line as text; invalid UTF-8 is the peer's protocol error (the library's strict codec throws it).</summary>
    public static string Text(ReadOnlySequence<byte> line) => Utf8TextCodec.Instance.Decode(line).TrimEnd('\r');

    /// <summary>"WORD a b rest of line" split into at most <paramref name="parts"/> parts.</summary>
    public static string[] Split(string line, int parts) => line.Split(' ', parts, StringSplitOptions.None);

    /// <summary>A file's SHA-256 in lowercase hex, read in 1 MiB blocks (memory stays flat for any size).</summary>
    public static async Task<string> HashAsync(string path, CancellationToken cancellationToken)
    {
        using var sha = SHA256.Create();
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1024 * 1024, FileOptions.Asynchronous | FileOptions.SequentialScan);
        return Convert.ToHexStringLower(await sha.ComputeHashAsync(file, cancellationToken));
    }
}
