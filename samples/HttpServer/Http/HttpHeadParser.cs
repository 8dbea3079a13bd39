using System.Text;
using static HttpServer.Http.HttpSyntax;

namespace HttpServer.Http;

/// <summary>
/// Checks and parses the lines of a request head (RFC 9112 sections 3 and 5) and the header section as a whole
/// (Host, Content-Length, Transfer-Encoding, Connection, Expect). Each line is judged only once it is complete, and
/// lines in order, so the answer does not depend on how the bytes were split.
/// </summary>
internal static class HttpHeadParser
{
    private static readonly string[] KnownMethods = ["GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"];

    public static BadHttpRequestException Bad(string why) => new(400, why);

    /// <summary>method SP request-target SP HTTP-version, with exactly one space between them.</summary>
    public static (string Method, string Target, int MinorVersion) ParseRequestLine(ReadOnlySpan<byte> line)
    {
        var firstSpace = line.IndexOf(SP);
        if (firstSpace < 0)
        {
            throw Bad("The request line has no spaces.");
        }

        var method = line[..firstSpace];
        if (!IsToken(method))
        {
            throw Bad("The method is not a token.");
        }

        var rest = line[(firstSpace + 1)..];
        var secondSpace = rest.IndexOf(SP);
        if (secondSpace < 0)
        {
            throw Bad("The request line has no HTTP version.");
        }

        var target = rest[..secondSpace];
        var version = rest[(secondSpace + 1)..];
        if (version.Length != 8 || !version.StartsWith("HTTP/"u8) || !IsDigit(version[5]) || version[6] != '.' || !IsDigit(version[7]))
        {
            throw Bad("The HTTP version is malformed (or the request line has extra spaces).");
        }

        var methodName = Method(method);
        CheckTarget(target, methodName);
        if (version[5] != '1')
        {
            throw new BadHttpRequestException(505, "Only HTTP/1.x is served.");
        }

        if (Array.IndexOf(KnownMethods, methodName) < 0)
        {
            throw new BadHttpRequestException(501, $"The method {methodName} is not implemented.");
        }

        return (methodName, Encoding.ASCII.GetString(target), version[7] == '0' ? 0 : 1);
    }

    /// <summary>field-name ":" OWS field-value OWS; no whitespace before the colon, no obs-fold.</summary>
    public static void ParseField(ReadOnlySpan<byte> line, HttpHeaders headers)
    {
        if (line[0] is SP or HTAB)
        {
            throw Bad("Obsolete line folding is not accepted.");
        }

        var colon = line.IndexOf((byte)':');
        if (colon < 0)
        {
            throw Bad("A header line has no colon.");
        }

        var name = line[..colon];
        if (!IsToken(name))
        {
            throw Bad("A header name is empty, has whitespace before its colon, or has characters a token cannot.");
        }

        var value = TrimWhitespace(line[(colon + 1)..]);
        if (!IsFieldValue(value))
        {
            throw Bad("A header value has control characters.");
        }

        var fieldName = HeaderName(name);
        if (ReferenceEquals(fieldName, "Host") && !IsHost(value))
        {
            throw Bad("The Host header is not a valid authority.");
        }

        headers.Add(new(fieldName, Encoding.Latin1.GetString(value)));
    }

    /// <summary>The header section as a whole: how the body is delimited, and what the client expects.</summary>
    public static HttpRequestHead Complete(string method, string target, int minorVersion, HttpHeaders headers, HttpLimits limits)
    {
        var hosts = 0;
        string? contentLength = null;
        var transferEncoding = new List<string>();
        var sawTransferEncoding = false;
        var keepAlive = minorVersion == 1;
        var expectsContinue = false;
        foreach (var (name, value) in headers)
        {
            if (name.Equals("Host", StringComparison.OrdinalIgnoreCase))
            {
                hosts++; // its value was checked on its line
            }
            else if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                if (value.Length == 0 || value.AsSpan().ContainsAnyExceptInRange('0', '9'))
                {
                    throw Bad("Content-Length is not a number.");
                }

                if (contentLength is not null && contentLength != value)
                {
                    throw Bad("Content-Length is given twice with different values.");
                }

                contentLength = value;
            }
            else if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
            {
                sawTransferEncoding = true;
                transferEncoding.AddRange(value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
            }
            else if (name.Equals("Connection", StringComparison.OrdinalIgnoreCase))
            {
                foreach (var option in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                {
                    if (option.Equals("close", StringComparison.OrdinalIgnoreCase))
                    {
                        keepAlive = false;
                    }
                    else if (option.Equals("keep-alive", StringComparison.OrdinalIgnoreCase) && minorVersion == 0)
                    {
                        keepAlive = true;
                    }
                }
            }
            else if (name.Equals("Expect", StringComparison.OrdinalIgnoreCase))
            {
                if (!value.Equals("100-continue", StringComparison.OrdinalIgnoreCase))
                {
                    throw new BadHttpRequestException(417, "The only expectation served is 100-continue.");
                }

                expectsContinue = minorVersion == 1; // an HTTP/1.0 client does not wait for a 100
            }
        }

        if (minorVersion == 1 ? hosts != 1 : hosts > 1)
        {
            throw Bad(hosts == 0 ? "An HTTP/1.1 request must have a Host header." : "The Host header is given more than once.");
        }

        if (sawTransferEncoding && transferEncoding.Count == 0)
        {
            throw Bad("Transfer-Encoding is empty.");
        }

        if (transferEncoding.Count > 0)
        {
            CheckTransferEncoding(transferEncoding, minorVersion, contentLength is not null);
            return new HttpRequestHead(method, target, minorVersion, headers)
            {
                BodyKind = HttpBodyKind.Chunked,
                KeepAlive = keepAlive,
                ExpectsContinue = expectsContinue,
            };
        }

        long length = 0;
        if (contentLength is not null)
        {
            var digits = contentLength.AsSpan().TrimStart('0');
            if (digits.Length > 18 || !long.TryParse(digits.IsEmpty ? "0" : digits, out length))
            {
                throw Bad("Content-Length is too large to be a length.");
            }

            if (length > limits.MaxBody)
            {
                throw new BadHttpRequestException(413, $"The body ({length} bytes) is larger than the {limits.MaxBody} allowed.");
            }
        }

        return new HttpRequestHead(method, target, minorVersion, headers)
        {
            BodyKind = length > 0 ? HttpBodyKind.ContentLength : HttpBodyKind.None,
            ContentLength = length,
            KeepAlive = keepAlive,
            ExpectsContinue = expectsContinue && length > 0,
        };
    }

    /// <summary>RFC 9112 section 6.1: chunked must be the final coding, once; other codings are not implemented here.</summary>
    private static void CheckTransferEncoding(List<string> codings, int minorVersion, bool hasContentLength)
    {
        if (minorVersion == 0)
        {
            throw Bad("Transfer-Encoding in an HTTP/1.0 request: its framing cannot be trusted.");
        }

        if (hasContentLength)
        {
            throw Bad("A request cannot have both Content-Length and Transfer-Encoding.");
        }

        for (var i = 0; i < codings.Count; i++)
        {
            var coding = codings[i];
            var isChunked = coding.Equals("chunked", StringComparison.OrdinalIgnoreCase);
            if (i < codings.Count - 1 && isChunked)
            {
                throw Bad("chunked must be the last transfer coding, and appear once.");
            }

            if (i == codings.Count - 1 && !isChunked)
            {
                throw Bad("The last transfer coding is not chunked: the body's length cannot be known.");
            }

            var name = coding.Split(';', 2)[0].TrimEnd(' ', '\t');
            if (!IsToken(Encoding.Latin1.GetBytes(name)))
            {
                throw Bad("A transfer coding is not a token.");
            }

            if (!isChunked)
            {
                throw new BadHttpRequestException(501, $"The transfer coding {name} is not implemented.");
            }
        }
    }

    /// <summary>RFC 9112 section 3.2: which target form each method may use.</summary>
    private static void CheckTarget(ReadOnlySpan<byte> target, string method)
    {
        if (target.IsEmpty)
        {
            throw Bad("The request target is empty.");
        }

        if (method == "CONNECT")
        {
            var colon = target.LastIndexOf((byte)':');
            if (colon <= 0 || target[0] == '/' || !IsDigits(target[(colon + 1)..]) || !IsHost(target[..colon]))
            {
                throw Bad("CONNECT needs an authority-form target (host:port).");
            }

            return;
        }

        if (target.SequenceEqual("*"u8))
        {
            if (method != "OPTIONS")
            {
                throw Bad("Only OPTIONS may use the asterisk-form target.");
            }

            return;
        }

        if (target[0] == '/')
        {
            if (!IsTargetText(target))
            {
                throw Bad("The request target has characters a URI cannot.");
            }

            return;
        }

        // absolute-form: scheme "://" authority path-abempty [ "?" query ]
        var schemeEnd = target.IndexOf("://"u8);
        if (schemeEnd <= 0 || !IsAsciiLetter(target[0]) || !IsTargetText(target[(schemeEnd + 3)..]) || target[(schemeEnd + 3)..].IsEmpty)
        {
            throw Bad("The request target is neither a path nor an absolute URI.");
        }

        foreach (var b in target[..schemeEnd])
        {
            if (!(IsAsciiLetter(b) || IsDigit(b) || b is (byte)'+' or (byte)'-' or (byte)'.'))
            {
                throw Bad("The request target's scheme is malformed.");
            }
        }
    }

    private static string Method(ReadOnlySpan<byte> method)
    {
        foreach (var known in KnownMethods)
        {
            if (method.Length == known.Length && Equals(method, known))
            {
                return known; // no allocation for the methods everyone sends
            }
        }

        return Encoding.ASCII.GetString(method);
    }

    private static readonly string[] CommonHeaders =
        ["Host", "User-Agent", "Accept", "Accept-Encoding", "Accept-Language", "Connection", "Content-Length", "Content-Type",
         "Transfer-Encoding", "Expect", "Upgrade", "If-None-Match", "If-Modified-Since", "Cookie", "Origin", "Referer",
         "Cache-Control", "Pragma", "Sec-WebSocket-Key", "Sec-WebSocket-Version", "Sec-WebSocket-Extensions", "Sec-WebSocket-Protocol"];

    private static string HeaderName(ReadOnlySpan<byte> name)
    {
        foreach (var known in CommonHeaders)
        {
            if (name.Length == known.Length && EqualsIgnoreCase(name, known))
            {
                return known;
            }
        }

        return Encoding.ASCII.GetString(name);
    }

    private static bool Equals(ReadOnlySpan<byte> bytes, string text)
    {
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] != text[i])
            {
                return false;
            }
        }

        return true;
    }

    private static bool EqualsIgnoreCase(ReadOnlySpan<byte> bytes, string text)
    {
        for (var i = 0; i < bytes.Length; i++)
        {
            if ((bytes[i] | 0x20) != (text[i] | 0x20))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsDigit(byte b) => b is >= (byte)'0' and <= (byte)'9';

    private static bool IsAsciiLetter(byte b) => (b | 0x20) is >= (byte)'a' and <= (byte)'z';
}
