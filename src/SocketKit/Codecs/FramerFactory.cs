namespace SocketKit.Codecs;

/// <summary>
/// Makes one <see cref="Framer"/> per connection, and tells the connection how large a frame can
/// be so its input buffer is sized to let a maximum frame complete.
/// </summary>
public sealed class FramerFactory
{
    private readonly Func<Framer> _create;

    /// <summary>Creates a factory from a function that makes a new framer.</summary>
    /// <param name="create">Makes a new, independent framer each call.</param>
    public FramerFactory(Func<Framer> create)
    {
        ArgumentNullException.ThrowIfNull(create);
        _create = create;
        var probe = create();
        MaxFrameLength = probe.MaxFrameLength;
        MaxOverheadLength = probe.MaxOverheadLength;
    }

    /// <summary>The maximum frame length of the framers made.</summary>
    public int MaxFrameLength { get; }

    /// <summary>The maximum framing overhead around one frame of the framers made.</summary>
    public int MaxOverheadLength { get; }

    /// <summary>Makes a new framer for one connection.</summary>
    /// <returns>A framer no other connection holds.</returns>
    public Framer Create() => _create();
}
