using System.Buffers;
using System.Text;
using SocketKit.Codecs;
using SocketKit.Connections;

namespace HttpServer.WebSockets;

/// <summary>
/// One WebSocket connection's protocol (RFC 6455): gathers fragmented messages, checks that text is UTF-8 as it
/// arrives (1007), answers pings, runs the close handshake, and answers a broken frame with a close frame carrying
/// the right code before the connection closes. Subclasses handle whole messages.
/// </summary>
public abstract class WebSocketSession : ConnectionHandler<WebSocketFrame, WebSocketFrame>
{
    private ArrayBufferWriter<byte>? _message;
    private WebSocketOpcode _messageOpcode;
    private Decoder? _utf8;
    private int _closeSent;

    /// <summary>A whole text message arrived.</summary>
    protected abstract ValueTask OnTextAsync(Connection<WebSocketFrame, WebSocketFrame> connection, string text, CancellationToken closing);

    /// <summary>A whole binary message arrived. The default ignores it.</summary>
    protected virtual ValueTask OnBinaryAsync(Connection<WebSocketFrame, WebSocketFrame> connection, ReadOnlyMemory<byte> data, CancellationToken closing) => ValueTask.CompletedTask;

    /// <summary>Sends a text message (one frame).</summary>
    public static ValueTask SendTextAsync(Connection<WebSocketFrame, WebSocketFrame> connection, string text, CancellationToken cancellationToken) =>
        connection.SendAsync(WebSocketFrame.Text(text), cancellationToken);

    /// <summary>Starts the close handshake: sends a close frame; the connection closes when the client's answers it (or its close timeout passes).</summary>
    public async ValueTask CloseAsync(Connection<WebSocketFrame, WebSocketFrame> connection, ushort code, string reason, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _closeSent, 1) == 0)
        {
            await connection.SendAsync(WebSocketFrame.Close(code, reason), cancellationToken);
        }
    }

    public override async ValueTask OnMessageAsync(Connection<WebSocketFrame, WebSocketFrame> connection, WebSocketFrame frame, CancellationToken closing)
    {
        switch (frame.Opcode)
        {
            case WebSocketOpcode.Ping:
                await connection.SendAsync(new WebSocketFrame(WebSocketOpcode.Pong, frame.Payload), closing);
                return;
            case WebSocketOpcode.Pong:
                return; // unsolicited pongs are allowed and need no answer
            case WebSocketOpcode.Close:
                // Echo the client's code (none if it sent none), then the server closes the TCP connection first (section 7.1.1).
                if (Interlocked.Exchange(ref _closeSent, 1) == 0)
                {
                    await connection.SendAsync(new WebSocketFrame(WebSocketOpcode.Close, frame.Payload.Length >= 2 ? frame.Payload[..2] : ReadOnlyMemory<byte>.Empty), closing);
                }

                connection.Close();
                return;
        }

        if (Volatile.Read(ref _closeSent) != 0)
        {
            return; // after our close frame, data is read and dropped until the client's close frame
        }

        if (frame.Opcode != WebSocketOpcode.Continuation)
        {
            (_messageOpcode, _utf8) = (frame.Opcode, frame.Opcode == WebSocketOpcode.Text ? WebSocketFrameDecoder.StrictUtf8.GetDecoder() : null);
            _message = frame.IsFinal ? null : new ArrayBufferWriter<byte>();
        }

        if (_utf8 is not null && !IsUtf8(_utf8, frame.Payload.Span, frame.IsFinal))
        {
            await FailAsync(connection, WebSocketCloseCode.InvalidPayload, "Text is not UTF-8.", closing);
            return;
        }

        if (!frame.IsFinal || _message is not null)
        {
            _message!.Write(frame.Payload.Span);
            if (!frame.IsFinal)
            {
                return;
            }
        }

        var data = _message?.WrittenMemory ?? frame.Payload;
        _message = null;
        if (_messageOpcode == WebSocketOpcode.Text)
        {
            await OnTextAsync(connection, Encoding.UTF8.GetString(data.Span), closing);
        }
        else
        {
            await OnBinaryAsync(connection, data, closing);
        }
    }

    /// <summary>A frame broke the protocol: the close frame says why (1002, 1007 or 1009), then the connection closes.</summary>
    public override async ValueTask OnProtocolErrorAsync(Connection<WebSocketFrame, WebSocketFrame> connection, ProtocolException error, CancellationToken closing)
    {
        var code = error is WebSocketProtocolException webSocket ? webSocket.CloseCode : WebSocketCloseCode.ProtocolError;
        await CloseAsync(connection, code, error.Message, closing);
    }

    private async ValueTask FailAsync(Connection<WebSocketFrame, WebSocketFrame> connection, ushort code, string reason, CancellationToken closing)
    {
        await CloseAsync(connection, code, reason, closing);
        connection.Close(CloseReason.ProtocolError);
    }

    /// <summary>
    /// Checks one fragment of a text message; a code point may continue into the next fragment unless this is the
    /// last (the decoder keeps its first bytes: Convert, unlike GetCharCount, updates the decoder's state).
    /// </summary>
    private static bool IsUtf8(Decoder decoder, ReadOnlySpan<byte> fragment, bool last)
    {
        Span<char> scratch = stackalloc char[1024];
        try
        {
            do
            {
                decoder.Convert(fragment, scratch, last, out var used, out _, out _);
                fragment = fragment[used..];
            }
            while (!fragment.IsEmpty);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }
}
