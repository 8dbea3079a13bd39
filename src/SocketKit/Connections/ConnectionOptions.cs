namespace SocketKit.Connections;

/// <summary>
/// Per-connection settings, shared by servers and connectors. Every default is safe for a public server;
/// <see cref="Validate"/> runs at start and names any bad option.
/// </summary>
public sealed class ConnectionOptions
{
    /// <summary>
    /// The send buffer's high watermark in bytes: above it the connection is not writable and the
    /// <see cref="FullSendBufferPolicy"/> applies. Defaults to 1 MiB.
    /// </summary>
    public int SendBufferHighWatermark { get; set; } = 1024 * 1024;

    /// <summary>The send buffer's low watermark in bytes: below it the connection is writable again. Defaults to 512 KiB.</summary>
    public int SendBufferLowWatermark { get; set; } = 512 * 1024;

    /// <summary>What <c>SendAsync</c> does when the send buffer is above its high watermark. Defaults to <see cref="FullSendBufferPolicy.Wait"/>.</summary>
    public FullSendBufferPolicy FullSendBufferPolicy { get; set; } = FullSendBufferPolicy.Wait;

    /// <summary>
    /// How long a send may wait for buffer space before the connection closes with
    /// <see cref="CloseReason.WriteTimeout"/> (a peer that never reads). Defaults to 30 seconds;
    /// <see cref="Timeout.InfiniteTimeSpan"/> disables it.
    /// </summary>
    public TimeSpan WriteTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a frame may take to arrive once its first byte has: a peer that sends part of a frame and then
    /// dribbles or stalls (a slowloris) is closed with <see cref="CloseReason.ReceiveTimeout"/>. Checked on the shared
    /// tick, so the close comes up to one tick later. Defaults to 30 seconds; <see cref="Timeout.InfiniteTimeSpan"/>
    /// disables it (raise it for very large frames over slow links).
    /// </summary>
    public TimeSpan FrameTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Close with <see cref="CloseReason.IdleTimeout"/> after this long with nothing received or sent. Defaults to <see cref="Timeout.InfiniteTimeSpan"/> (never).</summary>
    public TimeSpan IdleTimeout { get; set; } = Timeout.InfiniteTimeSpan;

    /// <summary>Call <c>OnIdleAsync(Reader)</c> after this long with nothing received, and again each such period. Defaults to <see cref="Timeout.InfiniteTimeSpan"/> (off).</summary>
    public TimeSpan ReaderIdleTime { get; set; } = Timeout.InfiniteTimeSpan;

    /// <summary>Call <c>OnIdleAsync(Writer)</c> after this long with nothing sent, and again each such period. Defaults to <see cref="Timeout.InfiniteTimeSpan"/> (off).</summary>
    public TimeSpan WriterIdleTime { get; set; } = Timeout.InfiniteTimeSpan;

    /// <summary>Call <c>OnIdleAsync(All)</c> after this long with nothing received or sent, and again each such period. Defaults to <see cref="Timeout.InfiniteTimeSpan"/> (off).</summary>
    public TimeSpan AllIdleTime { get; set; } = Timeout.InfiniteTimeSpan;

    /// <summary>
    /// Whether the peer's FIN leaves the connection open for sending (half-close): the handler hears of it in
    /// <c>OnInputCompletedAsync</c> and closes when it is done. When <see langword="false"/>, the peer's FIN
    /// closes the connection as <see cref="CloseReason.PeerClose"/> after every complete frame was handled and
    /// the replies flushed. Defaults to <see langword="false"/>.
    /// </summary>
    public bool AllowHalfClose { get; set; }

    /// <summary>
    /// On a graceful close, how long to wait for unsent data to go out and the peer's FIN to arrive
    /// (reading and discarding meanwhile) before resetting. Defaults to 5 seconds.
    /// </summary>
    public TimeSpan CloseTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The size of each receive buffer segment in bytes (larger segments mean fewer receive calls for bulk data; an idle connection holds none). Defaults to 128 KiB.</summary>
    public int ReceiveSegmentSize { get; set; } = 128 * 1024;

    /// <summary>
    /// The most received bytes buffered before reading from the socket pauses (backpressure). Defaults to
    /// <see langword="null"/>: derived as the framer's maximum frame plus its header plus one segment, which is the
    /// least that lets a maximum frame complete. A value below that is rejected.
    /// </summary>
    public int? MaxReceiveBufferSize { get; set; }

    /// <summary>Checks the options, throwing an exception that names the first bad one.</summary>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public void Validate()
    {
        if (SendBufferHighWatermark <= 0)
        {
            throw new ArgumentException($"{nameof(SendBufferHighWatermark)} must be positive.", nameof(SendBufferHighWatermark));
        }

        if (SendBufferLowWatermark < 0 || SendBufferLowWatermark > SendBufferHighWatermark)
        {
            throw new ArgumentException($"{nameof(SendBufferLowWatermark)} must be between 0 and {nameof(SendBufferHighWatermark)}.", nameof(SendBufferLowWatermark));
        }

        if (!Enum.IsDefined(FullSendBufferPolicy))
        {
            throw new ArgumentException($"{nameof(FullSendBufferPolicy)} is not a known policy.", nameof(FullSendBufferPolicy));
        }

        CheckTimeout(WriteTimeout, nameof(WriteTimeout));
        CheckTimeout(IdleTimeout, nameof(IdleTimeout));
        CheckTimeout(FrameTimeout, nameof(FrameTimeout));
        CheckTimeout(ReaderIdleTime, nameof(ReaderIdleTime));
        CheckTimeout(WriterIdleTime, nameof(WriterIdleTime));
        CheckTimeout(AllIdleTime, nameof(AllIdleTime));
        CheckTimeout(CloseTimeout, nameof(CloseTimeout));
        if (ReceiveSegmentSize < 256)
        {
            throw new ArgumentException($"{nameof(ReceiveSegmentSize)} must be at least 256 bytes.", nameof(ReceiveSegmentSize));
        }
    }

    /// <summary>The receive buffer limit for a framing: the configured one, checked, or the derived minimum.</summary>
    /// <summary>The smallest input buffer in which a maximum frame can complete.</summary>
    internal long MinimumReceiveBuffer(int maxFrameLength, int maxOverheadLength) => (long)maxFrameLength + maxOverheadLength + ReceiveSegmentSize;

    internal long ReceiveBufferLimit(int maxFrameLength, int maxOverheadLength)
    {
        var minimum = MinimumReceiveBuffer(maxFrameLength, maxOverheadLength);
        if (MaxReceiveBufferSize is not { } configured)
        {
            return Math.Max(minimum, 64 * 1024);
        }

        if (configured < minimum)
        {
            throw new ArgumentException(
                FormattableString.Invariant($"{nameof(MaxReceiveBufferSize)} ({configured}) must exceed the maximum frame ({maxFrameLength}) plus header ({maxOverheadLength}) plus one segment ({ReceiveSegmentSize}), or a maximum-size frame could never complete."));
        }

        return configured;
    }

    /// <summary>
    /// The input pipe: pauses reading from the socket at the receive limit, resumes at half. Continuations run inline:
    /// socket completions already run on thread-pool threads, so the message loop continues there without another hop.
    /// </summary>
    internal System.IO.Pipelines.PipeOptions InputPipeOptions(long receiveLimit, bool inline = true) =>
        new(readerScheduler: Scheduler(inline), writerScheduler: Scheduler(inline),
            pauseWriterThreshold: receiveLimit, resumeWriterThreshold: receiveLimit / 2,
            pool: Internal.BlockMemoryPool.For(ReceiveSegmentSize), minimumSegmentSize: ReceiveSegmentSize, useSynchronizationContext: false);

    /// <summary>
    /// The output pipe never makes a flush wait: the send path applies the full-buffer policy before writing,
    /// so a send is either wholly accepted or writes nothing. The send loop is woken on the thread pool, so replies
    /// written while it is scheduled go out together in one gathered send.
    /// </summary>
    internal static System.IO.Pipelines.PipeOptions OutputPipeOptions { get; } =
        new(readerScheduler: System.IO.Pipelines.PipeScheduler.ThreadPool, pool: Internal.BlockMemoryPool.For(SendSegmentSize),
            pauseWriterThreshold: 0, resumeWriterThreshold: 0, minimumSegmentSize: SendSegmentSize, useSynchronizationContext: false);

    // Small messages fill a send segment slowly; a modest size keeps little memory per busy connection.
    private const int SendSegmentSize = 16 * 1024;

    private static System.IO.Pipelines.PipeScheduler Scheduler(bool inline) =>
        inline ? System.IO.Pipelines.PipeScheduler.Inline : System.IO.Pipelines.PipeScheduler.ThreadPool;

    private static void CheckTimeout(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero && value != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentException($"{name} must be positive or Timeout.InfiniteTimeSpan.", name);
        }
    }
}
