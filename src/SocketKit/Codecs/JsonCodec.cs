using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace SocketKit.Codecs;

/// <summary>
/// Each frame is one JSON document, through System.Text.Json with a <see cref="JsonTypeInfo{T}"/>
/// (from a source-generated <c>JsonSerializerContext</c>, so it works with trimming and AOT).
/// Invalid JSON is a <see cref="MalformedFrameException"/>.
/// </summary>
/// <typeparam name="T">The message type.</typeparam>
public sealed class JsonCodec<T> : IMessageCodec<T>
{
    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;
    private readonly JsonTypeInfo<T> _typeInfo;

    /// <summary>Creates the codec.</summary>
    /// <param name="typeInfo">The type's metadata, e.g. <c>MyJsonContext.Default.MyMessage</c>.</param>
    public JsonCodec(JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        _typeInfo = typeInfo;
    }

    /// <inheritdoc />
    public T Decode(in ReadOnlySequence<byte> frame)
    {
        try
        {
            var reader = new Utf8JsonReader(frame);
            var value = JsonSerializer.Deserialize(ref reader, _typeInfo);
            return value ?? throw new MalformedFrameException("Frame holds JSON null.");
        }
        catch (JsonException e)
        {
            throw new MalformedFrameException("Frame is not valid JSON for " + typeof(T).Name + ": " + e.Message, e);
        }
    }

    /// <inheritdoc />
    public void Encode(T message, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        // One writer per thread, re-pointed at each output: no allocation per message.
        var writer = t_writer;
        if (writer is null)
        {
            writer = t_writer = new Utf8JsonWriter(output);
        }
        else
        {
            writer.Reset(output);
        }

        try
        {
            JsonSerializer.Serialize(writer, message, _typeInfo);
        }
        finally
        {
            writer.Reset();
        }
    }
}
