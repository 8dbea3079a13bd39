using System.Buffers;
using System.Buffers.Text;
using System.Text;
using SocketKit.Codecs;

namespace HttpServer.Http;

/// <summary>Writes a response's status line, headers and in-memory body (a file body follows through <c>SendFileAsync</c>).</summary>
public sealed class HttpResponseEncoder(TimeProvider time) : IMessageEncoder<HttpResponse>
{
    private readonly DateHeader _date = new(time);

    public void Encode(HttpResponse response, IBufferWriter<byte> output)
    {
        Write(output, "HTTP/1.1 "u8);
        WriteNumber(output, response.StatusCode);
        Write(output, " "u8);
        WriteAscii(output, HttpStatus.Reason(response.StatusCode));
        Write(output, "\r\n"u8);
        if (response.StatusCode >= 200)
        {
            Write(output, "Date: "u8);
            Write(output, _date.Current);
            Write(output, "\r\nServer: SocketKit\r\n"u8);
        }

        if (!response.HasNoContent)
        {
            Write(output, "Content-Length: "u8);
            WriteNumber(output, response.ContentLength);
            Write(output, "\r\n"u8);
        }

        foreach (var (name, value) in response.Headers)
        {
            WriteAscii(output, name);
            Write(output, ": "u8);
            WriteAscii(output, value);
            Write(output, "\r\n"u8);
        }

        if (response.Close)
        {
            Write(output, "Connection: close\r\n"u8);
        }
        else if (response.KeepAliveForHttp10)
        {
            Write(output, "Connection: keep-alive\r\n"u8);
        }

        Write(output, "\r\n"u8);
        if (!response.OmitBody && !response.HasNoContent)
        {
            Write(output, response.Body.Span);
        }
    }

    private static void Write(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes) => output.Write(bytes);

    private static void WriteAscii(IBufferWriter<byte> output, string text)
    {
        var span = output.GetSpan(text.Length);
        var written = Encoding.ASCII.GetBytes(text, span);
        output.Advance(written);
    }

    private static void WriteNumber(IBufferWriter<byte> output, long value)
    {
        var span = output.GetSpan(20);
        Utf8Formatter.TryFormat(value, span, out var written);
        output.Advance(written);
    }
}
