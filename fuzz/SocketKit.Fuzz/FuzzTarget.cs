using System.Buffers;
using System.Text.Json.Serialization;
using SocketKit.Codecs;

namespace SocketKit.Fuzz;

/// <summary>
/// What the fuzzer drives, and what the tests replay the corpus through: the first byte picks a framer or codec, the
/// second how many bytes arrive per read, the rest is the input. Anything but a frame, a skip or a
/// <see cref="ProtocolException"/> escapes as a crash, and so does a framer that stops consuming.
/// </summary>
public static class FuzzTarget
{
    private static readonly Func<Framer>[] Framers =
    [
        () => new LengthFieldFramer(new LengthFieldFramerOptions { MaxFrameLength = 4096 }),
        () => new LengthFieldFramer(new LengthFieldFramerOptions { Format = LengthFieldFormat.VarInt, MaxFrameLength = 4096 }),
        () => new LengthFieldFramer(new LengthFieldFramerOptions { Format = LengthFieldFormat.TwoBytes, LittleEndian = true, LengthFieldOffset = 1, LengthAdjustment = -3, MaxFrameLength = 512, TooLongFramePolicy = TooLongFramePolicy.Discard }),
        () => new LengthFieldFramer(new LengthFieldFramerOptions { Format = LengthFieldFormat.EightBytes, MaxFrameLength = 4096, TooLongFramePolicy = TooLongFramePolicy.Discard, FailFast = false }),
        () => Delimited(TooLongFramePolicy.Close),
        () => Delimited(TooLongFramePolicy.Discard),
        () => new LineFramer(new LineFramerOptions { MaxLineLength = 256 }),
        () => new LineFramer(new LineFramerOptions { MaxLineLength = 256, TooLongFramePolicy = TooLongFramePolicy.Discard }),
        () => new FixedLengthFramer(7),
        () => new RawFramer(100),
    ];

    private static readonly JsonCodec<FuzzMessage> Json = new(FuzzJsonContext.Default.FuzzMessage);

    /// <summary>The number of targets the first byte chooses among: every framer, then the UTF-8 and JSON codecs, then the PROXY protocol header.</summary>
    public static int Targets => Framers.Length + 3;

    public static void Run(ReadOnlySpan<byte> input)
    {
        if (input.Length < 2)
        {
            return;
        }

        var target = input[0] % Targets;
        var stride = 1 + (input[1] % 64);
        var data = input[2..].ToArray();
        if (target < Framers.Length)
        {
            Frame(Framers[target](), data, stride);
        }
        else
        {
            if (target == Framers.Length)
            {
                Decode(Utf8TextCodec.Instance, data);
            }
            else if (target == Framers.Length + 1)
            {
                Decode(Json, data);
            }
            else
            {
                ProxyHeader(data, stride);
            }
        }
    }

    /// <summary>
    /// Feeds <paramref name="data"/> to <paramref name="framer"/> <paramref name="stride"/> bytes per read, as a connection
    /// would, handing each frame to <paramref name="onFrame"/> (a decoder) before the input moves on. A
    /// <see cref="ProtocolException"/> is the expected answer to bad input; anything else escapes as a crash.
    /// </summary>
    public static void Frame(Framer framer, byte[] data, int stride, Action<ReadOnlySequence<byte>>? onFrame = null)
    {
        var pending = new ArrayBufferWriter<byte>();
        try
        {
            for (var offset = 0; offset < data.Length; offset += stride)
            {
                pending.Write(data.AsSpan(offset, Math.Min(stride, data.Length - offset)));
                var buffer = new ReadOnlySequence<byte>(pending.WrittenMemory);
                while (true)
                {
                    var before = buffer.Length;
                    var status = framer.Decode(ref buffer, out var frame);
                    if (status == FrameStatus.NeedMoreData)
                    {
                        break;
                    }

                    if (buffer.Length == before || frame.Length > before)
                    {
                        throw new InvalidOperationException($"{framer.GetType().Name} returned {status} without consuming input.");
                    }

                    if (status == FrameStatus.Frame)
                    {
                        onFrame?.Invoke(frame);
                    }
                }

                var rest = buffer.ToArray();
                pending.Clear();
                pending.Write(rest);
            }
        }
        catch (ProtocolException)
        {
            // The typed error that closes a connection: expected for bad input.
        }
    }

    private static void Decode<T>(IMessageDecoder<T> decoder, byte[] data)
    {
        try
        {
            decoder.Decode(new ReadOnlySequence<byte>(data));
        }
        catch (MalformedFrameException)
        {
            // Expected for bad input.
        }
    }

    /// <summary>
    /// The PROXY header parser as a server feeds it: again with each read until it answers. A header, more to read, or
    /// a <see cref="ProxyProtocolException"/> are the answers; a header longer than the bytes it came in is a bug.
    /// </summary>
    private static void ProxyHeader(byte[] data, int stride)
    {
        for (var arrived = Math.Min(stride, data.Length); ; arrived = Math.Min(arrived + stride, data.Length))
        {
            try
            {
                if (Proxy.ProxyHeader.TryParse(new ReadOnlySequence<byte>(data, 0, arrived), 512) is { } header)
                {
                    if (header.Length > arrived || header.Length <= 0)
                    {
                        throw new InvalidOperationException($"A {header.Length}-byte header from {arrived} bytes.");
                    }

                    return;
                }
            }
            catch (Proxy.ProxyProtocolException)
            {
                return; // expected for bad input
            }

            if (arrived == data.Length)
            {
                return;
            }
        }
    }

    private static DelimiterFramer Delimited(TooLongFramePolicy policy)
    {
        var options = new DelimiterFramerOptions { MaxFrameLength = 256, TooLongFramePolicy = policy };
        options.Delimiters.Add("\r\n"u8.ToArray());
        options.Delimiters.Add("\0"u8.ToArray());
        return new DelimiterFramer(options);
    }
}

/// <summary>A small JSON message for the JSON codec target.</summary>
public sealed record FuzzMessage(string Name, int Count, double[] Values);

[JsonSerializable(typeof(FuzzMessage))]
internal sealed partial class FuzzJsonContext : JsonSerializerContext;
