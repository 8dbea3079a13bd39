namespace SocketKit.Codecs;

/// <summary>
/// An encoder whose message can already be its own encoding, as one run of bytes (the bytes codec): the connection then
/// frames it straight into the send buffer instead of encoding it into a scratch buffer and copying it from there.
/// </summary>
/// <typeparam name="T">The type of messages.</typeparam>
internal interface IPassThroughEncoder<T>
{
    /// <summary>The message's encoding, when it is one contiguous run of bytes.</summary>
    bool TryGetEncoded(in T message, out ReadOnlySpan<byte> encoded);
}
