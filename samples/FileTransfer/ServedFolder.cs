using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace FileTransfer;

/// <summary>
/// The folder a server serves. A name is a plain file name in it: no folders, no "..", nothing absolute, no control
/// characters, and a file that is a link is refused (it could lead out of the folder).
/// </summary>
public sealed class ServedFolder(string root)
{
    /// <summary>The longest file name, in UTF-8 bytes.</summary>
    public const int MaxNameBytes = 255;

    public string Root { get; } = Path.GetFullPath(root);

    /// <summary>The full path for <paramref name="name"/>, or why it is refused.</summary>
    public string Resolve(string name)
    {
        // A file name is at most 255 bytes (Linux's NAME_MAX): UTF-8 bytes, not .NET's UTF-16 characters.
        if (name.Length == 0 || Encoding.UTF8.GetByteCount(name) > MaxNameBytes || name is "." or ".." || name.IndexOfAny(['/', '\\']) >= 0 || name.Any(char.IsControl)
            || name.StartsWith('.'))
        {
            throw new TransferException($"not a plain file name: {name}"); // dot files are the server's own (partial uploads)
        }

        var path = Path.Combine(Root, name);
        if (Path.GetDirectoryName(Path.GetFullPath(path)) != Root.TrimEnd(Path.DirectorySeparatorChar))
        {
            throw new TransferException($"outside the served folder: {name}");
        }

        if (File.Exists(path) && new FileInfo(path).LinkTarget is not null)
        {
            throw new TransferException($"a link, not a file: {name}");
        }

        return path;
    }

    /// <summary>
    /// Where an upload of a file with this hash collects its bytes until they hash right. Named from hashes of the name
    /// and the content (39 bytes), so that every name accepted as a final name fits as a partial one too.
    /// </summary>
    public string PartialUpload(string name, string sha256) =>
        Path.Combine(Root, $".{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)))[..16]}-{sha256[..16]}.part");

    private readonly ConcurrentDictionary<(string Path, long Length, DateTime Written), Task<string>> _hashes = new();

    /// <summary>A file's SHA-256, computed once per version of the file (its length and last write time).</summary>
    public Task<string> HashAsync(string path, CancellationToken cancellationToken)
    {
        var info = new FileInfo(path);
        return _hashes.GetOrAdd((path, info.Length, info.LastWriteTimeUtc), _ => TransferProtocol.HashAsync(path, CancellationToken.None)).WaitAsync(cancellationToken);
    }

    public IEnumerable<FileInfo> Files() =>
        new DirectoryInfo(Root).EnumerateFiles().Where(f => !f.Name.StartsWith('.') && f.LinkTarget is null).OrderBy(f => f.Name, StringComparer.Ordinal);
}

/// <summary>A request the server refuses; its message goes back as <c>ERR message</c>.</summary>
public sealed class TransferException(string message) : Exception(message);
