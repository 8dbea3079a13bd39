using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.ObjectPool;
using SocketKit.Codecs;
using SocketKit.Internal;
using SocketKit.Servers;

namespace SocketKit.Udp;

/// <summary>
/// A UDP socket that sends and receives messages: each datagram is one frame, turned into a message by the same
/// message codecs TCP uses. Bound to a local endpoint (unconnected: any peer) or connected to one remote peer.
/// Received datagrams go to a <see cref="DatagramHandler{TIn, TOut}"/> (push) or to <see cref="ReceiveAllAsync"/>
/// (pull), never both.
/// </summary>
/// <remarks>
/// A datagram that does not decode, or is larger than <see cref="UdpEndpointOptions.MaxDatagramSize"/>, is dropped and
/// reported as a non-fatal error with the sender's five-tuple; ICMP errors the OS reports (connection refused after a
/// datagram to a closed port) are non-fatal too. The endpoint keeps running. The local address in a five-tuple is the
/// bound address: for a wildcard bind, <c>0.0.0.0</c> or <c>::</c>, not the datagram's destination address (a
/// connected endpoint reports the source address the OS chose for its peer).
/// </remarks>
/// <typeparam name="TIn">The type of received messages.</typeparam>
/// <typeparam name="TOut">The type of sent messages.</typeparam>
public sealed partial class UdpEndpoint<TIn, TOut> : IAsyncDisposable
{
    private const int Created = 0;
    private const int Running = 1;
    private const int Stopped = 2;

    private readonly UdpEndpointOptions _options;
    private readonly IMessageDecoder<TIn> _decoder;
    private readonly IMessageEncoder<TOut> _encoder;
    private readonly DatagramHandler<TIn, TOut>? _handler;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ObjectPool<PooledBufferWriter> _encodeBuffers;
    private Socket? _socket;
    private UdpPeerCache? _peers;
    private UdpPeer? _connectedPeer;
    private byte[] _receiveBuffer = [];
    private SocketAddress? _receivedFrom;
    private int _maxDatagramSize;
    private Task _receiveLoop = Task.CompletedTask;
    private Datagram<TIn> _current;
    private int _state;
    private int _readerClaimed;
    private long _received;
    private long _dropped;

    /// <summary>Creates an endpoint; nothing is bound until <see cref="StartAsync"/>.</summary>
    /// <param name="options">The settings; validated at start.</param>
    /// <param name="decoder">Turns a received datagram into a message.</param>
    /// <param name="encoder">Turns a message into a datagram.</param>
    /// <param name="handler">Receives the datagrams; <see langword="null"/> to read them with <see cref="ReceiveAllAsync"/>, or for a send-only endpoint.</param>
    /// <param name="loggerFactory">Where logs go; <see langword="null"/> for none.</param>
    public UdpEndpoint(UdpEndpointOptions options, IMessageDecoder<TIn> decoder, IMessageEncoder<TOut> encoder, DatagramHandler<TIn, TOut>? handler = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(decoder);
        ArgumentNullException.ThrowIfNull(encoder);
        _options = options;
        _decoder = decoder;
        _encoder = encoder;
        _handler = handler;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("SocketKit.Udp.UdpEndpoint");
        // One encode buffer per concurrent send; more than a few dozen concurrent senders on one socket is unusual.
        _encodeBuffers = new DefaultObjectPool<PooledBufferWriter>(new DefaultPooledObjectPolicy<PooledBufferWriter>(), Environment.ProcessorCount * 4);
    }

    /// <summary>The endpoint actually bound (with the real port when 0 was asked for).</summary>
    /// <exception cref="InvalidOperationException">The endpoint is not started.</exception>
    public IPEndPoint LocalEndPoint => (IPEndPoint)(_socket ?? throw NotStarted()).LocalEndPoint!;

    /// <summary>Datagrams received and decoded so far.</summary>
    public long ReceivedDatagrams => Interlocked.Read(ref _received);

    /// <summary>Datagrams dropped so far because they did not decode or were too large.</summary>
    public long DroppedDatagrams => Interlocked.Read(ref _dropped);

    /// <summary>Checks every destination before a send; tests set it to keep all traffic on loopback.</summary>
    internal Action<IPEndPoint>? DestinationCheck { get; set; }

    /// <summary>Creates the socket, applies the options, binds (and connects, if a remote endpoint is set), and starts the handler's receive loop.</summary>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>A task that completes when the endpoint is bound.</returns>
    /// <exception cref="InvalidOperationException">The endpoint was already started.</exception>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    /// <exception cref="SocketException">Binding or connecting failed (for example, the port is in use).</exception>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        _options.Validate();
        if (Interlocked.CompareExchange(ref _state, Running, Created) != Created)
        {
            throw new InvalidOperationException("The endpoint was already started.");
        }

        var bind = _options.BindEndPoint;
        var socket = new Socket(bind.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            UdpSocketSetup.Apply(socket, _options);
            socket.Blocking = false; // synchronous sends never wait (see TrySendNow); async operations are unaffected
            try
            {
                socket.Bind(bind);
            }
            catch (SocketException e)
            {
                throw BindFailure.Named(e, "UDP", bind);
            }

            if (_options.RemoteEndPoint is { } remote)
            {
                DestinationCheck?.Invoke(remote);
                socket.Connect(remote); // also fixes the source address, so the local address below is the real one
                var connectedTo = (IPEndPoint)socket.RemoteEndPoint!;
                _connectedPeer = new UdpPeer(new FiveTuple(TransportProtocol.Udp, (IPEndPoint)socket.LocalEndPoint!, connectedTo), connectedTo);
            }

            _peers = new UdpPeerCache((IPEndPoint)socket.LocalEndPoint!, socket.AddressFamily, _options.MaxCachedPeers);
        }
        catch
        {
            socket.Dispose();
            Volatile.Write(ref _state, Stopped);
            throw;
        }

        _maxDatagramSize = _options.EffectiveMaxDatagramSize;
        _receiveBuffer = GC.AllocateUninitializedArray<byte>(_maxDatagramSize + 1); // one byte more shows a datagram was too large
        _receivedFrom = new SocketAddress(socket.AddressFamily);
        _socket = socket;
        Log.UdpBound(_logger, socket.LocalEndPoint);
        if (_handler is not null)
        {
            _receiveLoop = RunHandlerAsync(_handler);
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Runs the endpoint for a console app or service: starts it (if it is not started yet), serves until the process is
    /// asked to stop by SIGINT (Ctrl+C), SIGTERM (systemd, Docker, Kubernetes) or SIGQUIT, or until <see cref="StopAsync"/>
    /// is called, then stops (<see cref="StopAsync"/>; a second signal stops waiting for the running handler call). While
    /// it runs, these signals stop the endpoint instead of ending the process. Needs no console input.
    /// </summary>
    /// <remarks>
    /// The signals are taken before the server starts, and both are done when this method returns: announce that the
    /// server listens after calling it, and a stop signal sent the moment the announcement is seen stops it gracefully.
    /// An app that handles its own signals (or runs in the Generic Host) calls <see cref="RunAsync(CancellationToken)"/> instead.
    /// </remarks>
    /// <returns>A task that completes when the endpoint has stopped.</returns>
    public Task RunAsync() => ServerRun.RunUntilSignalledAsync(StartIfNotStartedAsync, StopAsync, _stopping.Token);

    /// <summary>
    /// Runs the endpoint for an app that owns its signals, or a worker: starts it (if it is not started yet), serves until
    /// <paramref name="cancellationToken"/> is cancelled or <see cref="StopAsync"/> is called, then stops. Does not listen
    /// for signals itself: cancel the token from your own handler, or call <see cref="RunAsync()"/>.
    /// </summary>
    /// <param name="cancellationToken">Cancel it to stop the endpoint.</param>
    /// <returns>A task that completes when the endpoint has stopped.</returns>
    public Task RunAsync(CancellationToken cancellationToken) =>
        ServerRun.RunAsync(StartIfNotStartedAsync, StopAsync, _stopping.Token, cancellationToken, CancellationToken.None);

    /// <summary>Joins an IPv4 or IPv6 multicast group on one interface.</summary>
    /// <param name="group">The group address (IPv4 224.0.0.0/4, IPv6 ff00::/8).</param>
    /// <param name="interfaceIndex">The interface's index; 0 lets the OS choose.</param>
    /// <exception cref="InvalidOperationException">The endpoint is not running.</exception>
    public void JoinMulticastGroup(IPAddress group, int interfaceIndex) => UdpSocketSetup.Membership(RunningSocket(), group, interfaceIndex, join: true);

    /// <summary>Joins an IPv4 or IPv6 multicast group on the interface the OS chooses.</summary>
    /// <param name="group">The group address (IPv4 224.0.0.0/4, IPv6 ff00::/8).</param>
    /// <exception cref="InvalidOperationException">The endpoint is not running.</exception>
    public void JoinMulticastGroup(IPAddress group) => JoinMulticastGroup(group, interfaceIndex: 0);

    /// <summary>Joins an IPv4 multicast group on the interface that has <paramref name="interfaceAddress"/>.</summary>
    /// <param name="group">The IPv4 group address.</param>
    /// <param name="interfaceAddress">A local IPv4 address of the interface (127.0.0.1 for loopback).</param>
    /// <exception cref="InvalidOperationException">The endpoint is not running.</exception>
    public void JoinMulticastGroup(IPAddress group, IPAddress interfaceAddress) => UdpSocketSetup.Membership(RunningSocket(), group, interfaceAddress, join: true);

    /// <summary>Leaves a multicast group joined with <see cref="JoinMulticastGroup(IPAddress, int)"/>.</summary>
    /// <param name="group">The group address.</param>
    /// <param name="interfaceIndex">The interface index used to join.</param>
    public void LeaveMulticastGroup(IPAddress group, int interfaceIndex) => UdpSocketSetup.Membership(RunningSocket(), group, interfaceIndex, join: false);

    /// <summary>Leaves a multicast group joined with <see cref="JoinMulticastGroup(IPAddress)"/>.</summary>
    /// <param name="group">The group address.</param>
    public void LeaveMulticastGroup(IPAddress group) => LeaveMulticastGroup(group, interfaceIndex: 0);

    /// <summary>Leaves an IPv4 multicast group joined with <see cref="JoinMulticastGroup(IPAddress, IPAddress)"/>.</summary>
    /// <param name="group">The IPv4 group address.</param>
    /// <param name="interfaceAddress">The interface address used to join.</param>
    public void LeaveMulticastGroup(IPAddress group, IPAddress interfaceAddress) => UdpSocketSetup.Membership(RunningSocket(), group, interfaceAddress, join: false);

    /// <summary>Stops receiving, lets the running handler call finish, and closes the socket. Idempotent.</summary>
    /// <param name="cancellationToken">Stops waiting for the handler (the socket is closed regardless).</param>
    /// <returns>A task that completes when the endpoint is stopped.</returns>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _state, Stopped) == Running)
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
            _socket!.Dispose(); // ends a pending receive
        }

        await _receiveLoop.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops the endpoint.</summary>
    /// <returns>A task that completes when the endpoint is stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        _stopping.Dispose();
    }

    private Task StartIfNotStartedAsync() => Volatile.Read(ref _state) == Created ? StartAsync(CancellationToken.None) : Task.CompletedTask;

    private void Drop(UdpPeer peer, Exception error)
    {
        Interlocked.Increment(ref _dropped);
        ReportError(peer.Tuple, error);
    }

    private void ReportError(FiveTuple tuple, Exception error)
    {
        Log.UdpNonFatalError(_logger, tuple, error);
        if (_handler is null)
        {
            return;
        }

        try
        {
            _handler.OnError(this, tuple, error);
        }
        catch (Exception e)
        {
            Log.UdpHandlerFailed(_logger, tuple, e);
        }
    }

    private Socket RunningSocket() => _socket is { } socket && Volatile.Read(ref _state) == Running ? socket : throw NotRunning();

    private static InvalidOperationException NotStarted() => new("The endpoint is not started; call StartAsync first.");

    private static InvalidOperationException NotRunning() => new("The endpoint is not running: it was not started, or it was stopped.");
}
