using HttpServer.Http;
using HttpServer.WebSockets;

namespace SocketKit.Fuzz;

/// <summary>
/// The HTTP sample's parsers under the fuzzer (<c>fuzz/run.sh SECONDS http</c>), and what the sample's tests replay
/// fuzz/http through: the first byte picks the HTTP request framer or the WebSocket framer (each with its decoder, on
/// every frame, as a connection runs them), the second how many bytes arrive per read. Small limits, so the fuzzer
/// reaches them. A <c>ProtocolException</c> (400, 1002 and friends) is the expected answer; anything else is a crash.
/// </summary>
public static class HttpFuzzTarget
{
    private static readonly HttpLimits Limits = new() { MaxRequestLine = 256, MaxFieldSection = 512, MaxFields = 8, MaxBody = 1024, MaxChunkLine = 64, MaxBodyPiece = 100 };
    private static readonly WebSocketLimits SocketLimits = new() { MaxFramePayload = 300, MaxMessage = 1000 };

    public const int Targets = 2;

    public static void Run(ReadOnlySpan<byte> input)
    {
        if (input.Length < 2)
        {
            return;
        }

        var stride = 1 + (input[1] % 64);
        var data = input[2..].ToArray();
        if (input[0] % Targets == 0)
        {
            var framer = new HttpRequestFramer(Limits);
            FuzzTarget.Frame(framer, data, stride, frame => Check(HttpRequestDecoder.Instance.Decode(framer, frame)));
        }
        else
        {
            var framer = new WebSocketFramer(SocketLimits);
            FuzzTarget.Frame(framer, data, stride, frame => WebSocketFrameDecoder.Instance.Decode(framer, frame));
        }
    }

    /// <summary>What the parser promises about a head it accepted.</summary>
    private static void Check(HttpRequestPart part)
    {
        if (part is HttpRequestHead head && (head.Method.Length == 0 || head.Target.Length == 0 || head.ContentLength > Limits.MaxBody || (head.MinorVersion == 1 && head.Headers["Host"] is null)))
        {
            throw new InvalidOperationException($"The parser accepted a head it should not have: {head}");
        }

        if (part is HttpBodyPart body && body.Data.Length > Limits.MaxBodyPiece)
        {
            throw new InvalidOperationException($"A body piece of {body.Data.Length} bytes is over the {Limits.MaxBodyPiece} allowed.");
        }
    }
}
