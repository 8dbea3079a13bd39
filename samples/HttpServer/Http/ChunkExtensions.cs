using static HttpServer.Http.HttpSyntax;

namespace HttpServer.Http;

/// <summary>
/// Chunk extensions (RFC 9112 section 7.1.1): <c>*( BWS ";" BWS name [ BWS "=" BWS ( token / quoted-string ) ] )</c>.
/// No extension is understood; they are checked so that a malformed one is refused rather than misread, then ignored.
/// </summary>
internal static class ChunkExtensions
{
    public static void Check(ReadOnlySpan<byte> text)
    {
        var i = SkipWhitespace(text, 0);
        if (i > 0 && i == text.Length)
        {
            throw HttpHeadParser.Bad("A chunk size is followed by whitespace and no extension.");
        }

        while (i < text.Length)
        {
            if (text[i] != ';')
            {
                throw HttpHeadParser.Bad("A chunk size is followed by something other than an extension.");
            }

            i = Token(text, SkipWhitespace(text, i + 1), "chunk extension name");
            i = SkipWhitespace(text, i);
            if (i < text.Length && text[i] == '=')
            {
                i = SkipWhitespace(text, i + 1);
                i = i < text.Length && text[i] == '"' ? QuotedString(text, i) : Token(text, i, "chunk extension value");
                i = SkipWhitespace(text, i);
            }
        }
    }

    private static int SkipWhitespace(ReadOnlySpan<byte> text, int i)
    {
        while (i < text.Length && text[i] is SP or HTAB)
        {
            i++;
        }

        return i;
    }

    private static int Token(ReadOnlySpan<byte> text, int start, string what)
    {
        var end = start;
        while (end < text.Length && IsToken(text.Slice(end, 1)))
        {
            end++;
        }

        return end > start ? end : throw HttpHeadParser.Bad($"A {what} is not a token.");
    }

    /// <summary>DQUOTE *( qdtext / quoted-pair ) DQUOTE.</summary>
    private static int QuotedString(ReadOnlySpan<byte> text, int start)
    {
        for (var i = start + 1; i < text.Length; i++)
        {
            var b = text[i];
            if (b == '"')
            {
                return i + 1;
            }

            if (b == '\\')
            {
                i++;
                if (i >= text.Length || (text[i] < 0x20 && text[i] != HTAB) || text[i] == 0x7F)
                {
                    throw HttpHeadParser.Bad("A quoted-pair in a chunk extension is malformed.");
                }
            }
            else if ((b < 0x20 && b != HTAB) || b == 0x7F)
            {
                throw HttpHeadParser.Bad("A chunk extension's quoted string has a control character.");
            }
        }

        throw HttpHeadParser.Bad("A chunk extension's quoted string is not closed.");
    }
}
