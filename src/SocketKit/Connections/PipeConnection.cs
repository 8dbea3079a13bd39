using System.IO.Pipelines;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SocketKit.Codecs;
using SocketKit.Internal;
using SocketKit.Transports;

namespace SocketKit.Connections;

/// <summary>
/// Runs a connection over any <see cref="IDuplexPipe"/> instead of a socket: an in-memory peer in a test, a stream
/// (<c>PipeReader.Create</c>/<c>PipeWriter.Create</c> over a serial port or a named pipe), another library's connection.
/// The connection behaves as over TCP: the same message loop, callbacks, limits, timeouts, send path and close reasons.
/// </summary>
/// <remarks>
/// The pipe's far end speaks as a TCP peer would: completing its writer is a FIN (<see cref="CloseReason.PeerClose"/>),
/// completing it with an exception is a reset (<see cref="CloseReason.PeerReset"/>). The connection's FIN completes
/// the pipe's output; its reset (<c>Abort</c>, a timeout) completes it with an <see cref="IOException"/>.
/// </remarks>
public static class PipeConnection
{
    /// <summary>Starts a connection over <paramref name="pipe"/>; it owns the pipe from now on and completes both of its ends when it closes.</summary>
    /// <typeparam name="TIn">The type of received messages.</typeparam>
    /// <typeparam name="TOut">The type of sent messages.</typeparam>
    /// <param name="pipe">The bytes from the peer (<see cref="IDuplexPipe.Input"/>) and to it (<see cref="IDuplexPipe.Output"/>).</param>
    /// <param name="tuple">The five-tuple the connection reports (e.g. <see cref="TransportProtocol.InMemory"/> with made-up ports).</param>
    /// <param name="codec">How bytes become messages and back.</param>
    /// <param name="handler">The handler, or <see langword="null"/> for pull mode (<c>ReadAllAsync</c>).</param>
    /// <param name="options">Connection settings, or <see langword="null"/> for the defaults; validated here.</param>
    /// <param name="timeProvider">The clock for idle and timeouts (a fake one in tests), or <see langword="null"/> for the system clock.</param>
    /// <param name="loggerFactory">Where logs go, or <see langword="null"/>.</param>
    /// <returns>The running connection.</returns>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    public static Connection<TIn, TOut> Start<TIn, TOut>(
        IDuplexPipe pipe,
        FiveTuple tuple,
        Codec<TIn, TOut> codec,
        ConnectionHandler<TIn, TOut>? handler,
        ConnectionOptions? options = null,
        TimeProvider? timeProvider = null,
        ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(pipe);
        ArgumentNullException.ThrowIfNull(codec);
        options ??= new ConnectionOptions();
        options.Validate();
        var limit = options.ReceiveBufferLimit(codec.Framing.MaxFrameLength, codec.Framing.MaxOverheadLength);
        // Thread-pool scheduling: the far end is someone else's code, which must not run inline in the connection's loops.
        var transport = new PipeTransport(pipe, options.InputPipeOptions(limit, inline: false), ConnectionOptions.OutputPipeOptions);
        var logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("SocketKit.Connections.Connection");
        var connection = new Connection<TIn, TOut>(transport, tuple, codec, handler, options,
            ConnectionTicker.Shared(timeProvider ?? TimeProvider.System), logger, group: null, CancellationToken.None);
        _ = connection.RunAsync();
        return connection;
    }
}
