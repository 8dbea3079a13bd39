namespace SocketKit.Codecs;

/// <summary>
/// How a connection turns bytes into <typeparamref name="TIn"/> messages and <typeparamref name="TOut"/>
/// messages into bytes: a framing (one framer per connection) plus a message decoder and encoder.
/// </summary>
/// <typeparam name="TIn">The type of received messages.</typeparam>
/// <typeparam name="TOut">The type of sent messages.</typeparam>
public sealed class Codec<TIn, TOut>
{
    /// <summary>Creates a codec from its parts.</summary>
    /// <param name="framing">Makes each connection's framer.</param>
    /// <param name="decoder">Turns a frame into a received message.</param>
    /// <param name="encoder">Turns a message to send into a frame's payload.</param>
    public Codec(FramerFactory framing, IMessageDecoder<TIn> decoder, IMessageEncoder<TOut> encoder)
    {
        ArgumentNullException.ThrowIfNull(framing);
        ArgumentNullException.ThrowIfNull(decoder);
        ArgumentNullException.ThrowIfNull(encoder);
        Framing = framing;
        Decoder = decoder;
        Encoder = encoder;
        FramerAwareDecoder = decoder as IFramerAwareDecoder<TIn>;
        PassThroughEncoder = encoder as IPassThroughEncoder<TOut>;
    }

    /// <summary>Makes each connection's framer.</summary>
    public FramerFactory Framing { get; }

    /// <summary>Turns a frame into a received message.</summary>
    public IMessageDecoder<TIn> Decoder { get; }

    /// <summary>Turns a message to send into a frame's payload.</summary>
    public IMessageEncoder<TOut> Encoder { get; }

    /// <summary>The decoder, if it wants to see the framer (checked once here, not per message).</summary>
    internal IFramerAwareDecoder<TIn>? FramerAwareDecoder { get; }

    /// <summary>The encoder, if a message can be its own encoding (checked once here, not per message).</summary>
    internal IPassThroughEncoder<TOut>? PassThroughEncoder { get; }
}
