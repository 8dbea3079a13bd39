using System.Buffers;
using System.Text;

namespace SocketKit.Codecs;

/// <summary>Each frame is one UTF-8 string. Invalid UTF-8 is a <see cref="MalformedFrameException"/>.</summary>
public sealed class Utf8TextCodec : IMessageCodec<string>
{
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The shared instance.</summary>
    public static Utf8TextCodec Instance { get; } = new();

    /// <inheritdoc />
    public string Decode(in ReadOnlySequence<byte> frame)
    {
        try
        {
            return Strict.GetString(frame);
        }
        catch (DecoderFallbackException e)
        {
            throw new MalformedFrameException("Frame is not valid UTF-8.", e);
        }
    }

    /// <inheritdoc />
    public void Encode(string message, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(output);
        Strict.GetBytes(message, output);
    }
}
