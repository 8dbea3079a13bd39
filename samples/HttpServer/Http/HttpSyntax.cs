namespace HttpServer.Http;

/// <summary>The character classes of RFC 9110 and RFC 3986 that the parser checks, as lookup tables.</summary>
internal static class HttpSyntax
{
    public const byte CR = (byte)'\r';
    public const byte LF = (byte)'\n';
    public const byte SP = (byte)' ';
    public const byte HTAB = (byte)'\t';

    private static readonly bool[] Tchar = Table("!#$%&'*+-.^_`|~", alphanumeric: true);

    // RFC 3986 pchar plus '/' and '?' (path and query): unreserved, sub-delims, ':', '@', and '%' for pct-encoding.
    private static readonly bool[] TargetChar = Table("-._~!$&'()*+,;=:@/?%", alphanumeric: true);

    // A Host value: reg-name or IP literal, with a port: unreserved, sub-delims, ':', '[', ']', '%'.
    private static readonly bool[] HostChar = Table("-._~!$&'()*+,;=:[]%", alphanumeric: true);

    /// <summary>RFC 9110 tchar: the characters of a token (method, field name, transfer coding).</summary>
    public static bool IsToken(ReadOnlySpan<byte> value)
    {
        if (value.IsEmpty)
        {
            return false;
        }

        foreach (var b in value)
        {
            if (!Tchar[b])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>field-value: visible characters, obs-text, and SP or HTAB between them (CTLs and DEL refused).</summary>
    public static bool IsFieldValue(ReadOnlySpan<byte> value)
    {
        foreach (var b in value)
        {
            if ((b < 0x20 && b != HTAB) || b == 0x7F)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The characters of an origin-form target, with every '%' followed by two hex digits; no '#', no space, no CTL.</summary>
    public static bool IsTargetText(ReadOnlySpan<byte> value) => AllIn(value, TargetChar) && PercentEncodingIsValid(value);

    /// <summary>A Host field value (uri-host [":" port], the port digits or empty); may be empty.</summary>
    public static bool IsHost(ReadOnlySpan<byte> value)
    {
        if (!AllIn(value, HostChar) || !PercentEncodingIsValid(value))
        {
            return false;
        }

        ReadOnlySpan<byte> port;
        if (!value.IsEmpty && value[0] == '[')
        {
            var close = value.IndexOf((byte)']'); // an IP literal: its colons are not the port's
            if (close < 0)
            {
                return false;
            }

            port = value[(close + 1)..];
        }
        else
        {
            var colon = value.IndexOf((byte)':');
            if ((colon < 0 ? value : value[..colon]).IndexOfAny((byte)'[', (byte)']') >= 0)
            {
                return false;
            }

            port = colon < 0 ? [] : value[colon..];
        }

        return port.IsEmpty || (port[0] == ':' && (port.Length == 1 || IsDigits(port[1..])));
    }

    public static bool IsDigits(ReadOnlySpan<byte> value)
    {
        if (value.IsEmpty)
        {
            return false;
        }

        foreach (var b in value)
        {
            if (b is < (byte)'0' or > (byte)'9')
            {
                return false;
            }
        }

        return true;
    }

    public static ReadOnlySpan<byte> TrimWhitespace(ReadOnlySpan<byte> value)
    {
        var start = 0;
        while (start < value.Length && value[start] is SP or HTAB)
        {
            start++;
        }

        var end = value.Length;
        while (end > start && value[end - 1] is SP or HTAB)
        {
            end--;
        }

        return value[start..end];
    }

    public static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };

    private static bool AllIn(ReadOnlySpan<byte> value, bool[] table)
    {
        foreach (var b in value)
        {
            if (!table[b])
            {
                return false;
            }
        }

        return true;
    }

    private static bool PercentEncodingIsValid(ReadOnlySpan<byte> value)
    {
        for (var i = value.IndexOf((byte)'%'); i >= 0; i = value.IndexOf((byte)'%'))
        {
            if (i + 2 >= value.Length || HexValue(value[i + 1]) < 0 || HexValue(value[i + 2]) < 0)
            {
                return false;
            }

            value = value[(i + 3)..];
        }

        return true;
    }

    private static bool[] Table(string extra, bool alphanumeric)
    {
        var table = new bool[256];
        if (alphanumeric)
        {
            for (var c = '0'; c <= '9'; c++)
            {
                table[c] = true;
            }

            for (var c = 'a'; c <= 'z'; c++)
            {
                table[c] = true;
                table[char.ToUpperInvariant(c)] = true;
            }
        }

        foreach (var c in extra)
        {
            table[c] = true;
        }

        return table;
    }
}
