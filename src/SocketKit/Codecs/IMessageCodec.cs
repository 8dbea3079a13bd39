namespace SocketKit.Codecs;

/// <summary>A decoder and encoder for the same message type.</summary>
/// <typeparam name="T">The message type.</typeparam>
public interface IMessageCodec<T> : IMessageDecoder<T>, IMessageEncoder<T>
{
}
