using System.Globalization;

namespace HttpServer.Http;

/// <summary>
/// Files from one folder for GET and HEAD: Content-Type by extension, Content-Length, Last-Modified, an ETag answered
/// with 304 when If-None-Match (or If-Modified-Since) says the client has it. Paths stay inside the folder: no "..",
/// no hidden files, no links (which could lead out), no backslashes or NULs.
/// </summary>
public sealed class StaticFiles(string root)
{
    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".htm"] = "text/html; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".json"] = "application/json",
        [".txt"] = "text/plain; charset=utf-8",
        [".svg"] = "image/svg+xml",
        [".png"] = "image/png",
        [".jpg"] = "image/jpeg",
        [".jpeg"] = "image/jpeg",
        [".gif"] = "image/gif",
        [".webp"] = "image/webp",
        [".ico"] = "image/x-icon",
        [".wasm"] = "application/wasm",
        [".pdf"] = "application/pdf",
    };

    public string Root { get; } = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));

    public HttpResponse Serve(HttpRequest request)
    {
        if (Resolve(request.Path) is not { } file)
        {
            return HttpResponse.Error(404, request.Path, close: false);
        }

        var etag = string.Create(CultureInfo.InvariantCulture, $"\"{file.Length:x}-{file.LastWriteTimeUtc.Ticks:x}\"");
        var lastModified = file.LastWriteTimeUtc.ToString("R", CultureInfo.InvariantCulture);
        var response = IsFresh(request.Headers, etag, file.LastWriteTimeUtc) ? new HttpResponse(304) : new HttpResponse(200) { File = file };
        response.Headers.Add(new("Content-Type", ContentTypes.GetValueOrDefault(file.Extension, "application/octet-stream")));
        response.Headers.Add(new("Last-Modified", lastModified));
        response.Headers.Add(new("ETag", etag));
        return response;
    }

    /// <summary>The file a URL path names, or <see langword="null"/> if there is none or it would lead outside the folder.</summary>
    public FileInfo? Resolve(string urlPath)
    {
        string decoded;
        try
        {
            decoded = Uri.UnescapeDataString(urlPath);
        }
        catch (UriFormatException)
        {
            return null;
        }

        if (!decoded.StartsWith('/') || decoded.Contains('\\') || decoded.Contains('\0'))
        {
            return null;
        }

        var segments = decoded.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Any(s => s.StartsWith('.'))) // "..", ".", and hidden files
        {
            return null;
        }

        var path = Root;
        foreach (var segment in segments)
        {
            path = Path.Join(path, segment);
            if (new FileInfo(path).LinkTarget is not null)
            {
                return null; // a link could lead out of the folder
            }
        }

        if (Directory.Exists(path))
        {
            path = Path.Join(path, "index.html");
        }
        else if (decoded.EndsWith('/'))
        {
            return null; // "/index.html/" names a folder, and there is none
        }

        var file = new FileInfo(path);
        return file.Exists && file.LinkTarget is null && Path.GetFullPath(file.FullName).StartsWith(Root + Path.DirectorySeparatorChar, StringComparison.Ordinal) ? file : null;
    }

    /// <summary>RFC 9110 section 13.1: If-None-Match wins over If-Modified-Since; weak comparison for If-None-Match.</summary>
    private static bool IsFresh(HttpHeaders headers, string etag, DateTime lastWrite)
    {
        if (headers["If-None-Match"] is { } ifNoneMatch)
        {
            return ifNoneMatch.Trim() == "*"
                || ifNoneMatch.Split(',', StringSplitOptions.TrimEntries).Any(tag => (tag.StartsWith("W/", StringComparison.Ordinal) ? tag[2..] : tag) == etag);
        }

        return headers["If-Modified-Since"] is { } since
            && DateTime.TryParseExact(since, "R", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var date)
            && lastWrite < date.AddSeconds(1);
    }
}
