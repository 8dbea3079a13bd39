using System.Buffers.Binary;
using System.Text;
using HttpServer;
using HttpServer.Http;
using HttpServer.WebSockets;
using SocketKit.Codecs;
using SocketKit.Connections;
using SocketKit.Testing;
using SocketKit.TestSupport;

namespace SocketKit.Samples.Tests.Http;

/// <summary>
/// RFC 6455 rules a well-behaved client never breaks, checked with hand-made bytes over an in-memory connection that
/// starts as HTTP and upgrades: each violation is answered with a close frame carrying the right code.
/// </summary>
public class WebSocketProtocolTests
{
    private const string Handshake = "GET /ws/echo HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n" +
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";

    private static readonly byte[] Key = [0x37, 0xfa, 0x21, 0x3d];

    /// <summary>A client frame: masked unless told otherwise.</summary>
    public static byte[] Frame(int opcode, byte[] payload, bool fin = true, int rsv = 0, bool masked = true)
    {
        var frame = new List<byte> { (byte)((fin ? 0x80 : 0) | (rsv << 4) | opcode) };
        var mask = masked ? 0x80 : 0;
        if (payload.Length < 126)
        {
            frame.Add((byte)(mask | payload.Length));
        }
        else
        {
            frame.Add((byte)(mask | 127));
            var length = new byte[8];
            BinaryPrimitives.WriteUInt64BigEndian(length, (ulong)payload.Length);
            frame.AddRange(length);
        }

        if (masked)
        {
            frame.AddRange(Key);
        }

        frame.AddRange(masked ? payload.Select((b, i) => (byte)(b ^ Key[i & 3])) : payload);
        return frame.ToArray();
    }

    private static byte[] Text(string text) => Encoding.UTF8.GetBytes(text);

    private static byte[] CloseBody(ushort code, byte[]? reason = null)
    {
        var body = new byte[2 + (reason?.Length ?? 0)];
        BinaryPrimitives.WriteUInt16BigEndian(body, code);
        reason?.CopyTo(body, 2);
        return body;
    }

    /// <summary>Sends the handshake and then <paramref name="frames"/>; returns the 101's head and the frames the server sent back, once it has closed.</summary>
    private static async Task<(string Head, List<(int Opcode, byte[] Payload)> Frames)> ExchangeAsync(params byte[][] frames)
    {
        var options = new ConnectionOptions();
        WebServer.ConfigureConnections(options);
        var (connection, peer) = InMemoryConnection.CreateWithPeer(HttpCodec.Create(), new HttpSession(WebServer.CreateRouter(Path.GetTempPath(), new Chat.ChatHub())), options);
        await peer.WriteAsync(Encoding.ASCII.GetBytes(Handshake).Concat(frames.SelectMany(f => f)).ToArray());

        var output = await AsyncAssert.Within(peer.ReadToEndAsync(), "the server's answer and its FIN");
        await peer.CompleteOutputAsync();
        await AsyncAssert.Within(connection.Completion, "the close");
        var headEnd = output.AsSpan().IndexOf("\r\n\r\n"u8) + 4;
        var received = new List<(int, byte[])>();
        for (var at = headEnd; at < output.Length;)
        {
            var length = output[at + 1] & 0x7F;
            var offset = 2;
            if (length == 126)
            {
                (length, offset) = (BinaryPrimitives.ReadUInt16BigEndian(output.AsSpan(at + 2)), 4);
            }

            received.Add((output[at] & 0x0F, output[(at + offset)..(at + offset + length)]));
            at += offset + length;
        }

        return (Encoding.ASCII.GetString(output, 0, headEnd), received);
    }

    private static async Task AssertClosedWith(ushort code, params byte[][] frames)
    {
        var (head, received) = await ExchangeAsync(frames);
        Assert.StartsWith("HTTP/1.1 101 Switching Protocols\r\n", head);
        var (opcode, payload) = received[^1];
        Assert.Equal(0x8, opcode);
        Assert.Equal(code, BinaryPrimitives.ReadUInt16BigEndian(payload));
    }

    [Fact]
    public async Task The_handshake_answers_the_rfc_example_key_and_the_frame_after_it_is_read_by_the_new_codec()
    {
        var (head, received) = await ExchangeAsync(Frame(0x1, Text("in the same packet")), Frame(0x8, CloseBody(1000)));

        Assert.Contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n", head);
        Assert.Contains("Upgrade: websocket\r\n", head);
        Assert.Equal((0x1, "in the same packet"), (received[0].Opcode, Encoding.UTF8.GetString(received[0].Payload)));
        Assert.Equal(0x8, received[1].Opcode);
        Assert.Equal([0x03, 0xE8], received[1].Payload);
    }

    [Fact]
    public Task An_unmasked_client_frame_is_1002() => AssertClosedWith(1002, Frame(0x1, Text("x"), masked: false));

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public Task A_reserved_bit_without_an_extension_is_1002(int rsv) => AssertClosedWith(1002, Frame(0x1, Text("x"), rsv: rsv));

    [Theory]
    [InlineData(0x3)]
    [InlineData(0x7)]
    [InlineData(0xB)]
    [InlineData(0xF)]
    public Task A_reserved_opcode_is_1002(int opcode) => AssertClosedWith(1002, Frame(opcode, []));

    [Fact]
    public Task A_control_frame_over_125_bytes_is_1002() => AssertClosedWith(1002, Frame(0x9, new byte[126]));

    [Fact]
    public Task A_fragmented_control_frame_is_1002() => AssertClosedWith(1002, Frame(0x9, Text("p"), fin: false));

    [Fact]
    public Task A_continuation_without_a_message_is_1002() => AssertClosedWith(1002, Frame(0x0, Text("x")));

    [Fact]
    public Task A_new_message_inside_a_fragmented_one_is_1002() => AssertClosedWith(1002, Frame(0x1, Text("a"), fin: false), Frame(0x1, Text("b")));

    [Fact]
    public Task Text_that_is_not_utf8_is_1007() => AssertClosedWith(1007, Frame(0x1, [0xce, 0xba, 0xe1, 0xbd, 0xb9, 0xcf, 0x83, 0xce, 0xbc, 0xce, 0xb5, 0xed, 0xa0, 0x80]));

    [Fact]
    public Task Invalid_utf8_in_a_later_fragment_is_1007() => AssertClosedWith(1007, Frame(0x1, Text("ok"), fin: false), Frame(0x0, [0xff], fin: true));

    [Fact]
    public async Task A_code_point_split_across_fragments_is_valid()
    {
        var euro = Text("\u20ac"); // three bytes: one fragment ends inside it
        var (_, received) = await ExchangeAsync(Frame(0x1, euro[..1], fin: false), Frame(0x0, euro[1..]), Frame(0x8, CloseBody(1000)));

        Assert.Equal("\u20ac", Encoding.UTF8.GetString(received[0].Payload));
    }

    [Theory]
    [InlineData(999)]
    [InlineData(1004)]
    [InlineData(1005)]
    [InlineData(1006)]
    [InlineData(1015)]
    [InlineData(2000)]
    [InlineData(5000)]
    public Task A_close_code_a_peer_may_not_send_is_1002(int code) => AssertClosedWith(1002, Frame(0x8, CloseBody((ushort)code)));

    [Fact]
    public Task A_one_byte_close_payload_is_1002() => AssertClosedWith(1002, Frame(0x8, [0x03]));

    [Fact]
    public Task A_close_reason_that_is_not_utf8_is_1007() => AssertClosedWith(1007, Frame(0x8, CloseBody(1000, [0xff, 0xfe])));

    [Fact]
    public Task A_frame_over_the_limit_is_1009() => AssertClosedWith(1009, Frame(0x2, new byte[WebSocketLimits.Default.MaxFramePayload + 1]));

    [Fact]
    public async Task A_ping_between_fragments_is_answered_and_the_message_still_gathered()
    {
        var (_, received) = await ExchangeAsync(
            Frame(0x1, Text("frag"), fin: false), Frame(0x9, Text("ping!")), Frame(0x0, Text("ment")), Frame(0x8, CloseBody(1000)));

        Assert.Equal((0xA, "ping!"), (received[0].Opcode, Encoding.UTF8.GetString(received[0].Payload)));
        Assert.Equal((0x1, "fragment"), (received[1].Opcode, Encoding.UTF8.GetString(received[1].Payload)));
    }

    [Fact]
    public void The_framer_gives_the_same_answer_at_every_split()
    {
        byte[][] streams =
        [
            [.. Frame(0x1, Text("a"), fin: false), .. Frame(0x9, Text("p")), .. Frame(0x0, new byte[300]), .. Frame(0x8, CloseBody(1000))],
            [.. Frame(0x1, Text("x")), .. Frame(0x1, Text("y"), masked: false)],
            [.. Frame(0x2, new byte[10]), .. Frame(0x0, Text("z"))],
            [.. Frame(0x9, new byte[126])],
        ];
        foreach (var stream in streams)
        {
            string? expected = null;
            FramerDriver.ForEverySplit(() => new WebSocketFramer(WebSocketLimits.Default), stream, (result, split) =>
            {
                var outcome = $"{result.Frames.Count} frames, error {(result.Error as WebSocketProtocolException)?.CloseCode}";
                expected ??= outcome;
                Assert.True(expected == outcome, $"{split}: {outcome}, not {expected}");
            });
        }
    }
}
