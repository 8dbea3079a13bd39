using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using Microsoft.Extensions.Logging.Abstractions;
using SocketKit.Codecs;
using SocketKit.Connections;
using SocketKit.Internal;
using SocketKit.Transports;

namespace SocketKit.Tcp;

/// <summary>Opens client TCP connections.</summary>
public static class TcpConnector
{
    /// <summary>
    /// Connects to <paramref name="endPoint"/> (an <see cref="IPEndPoint"/>, a <see cref="DnsEndPoint"/> whose
    /// addresses are tried in turn, or a <see cref="UnixDomainSocketEndPoint"/> for a local server) and returns the open connection. With a handler, <c>OnConnectedAsync</c> has
    /// run when this returns; without one (<see langword="null"/>), read messages with <c>ReadAllAsync</c>.
    /// </summary>
    /// <typeparam name="TIn">The type of received messages.</typeparam>
    /// <typeparam name="TOut">The type of sent messages.</typeparam>
    /// <param name="endPoint">Where to connect.</param>
    /// <param name="codec">How bytes become messages and back.</param>
    /// <param name="handler">The connection's handler, or <see langword="null"/> for pull mode.</param>
    /// <param name="options">Settings, or <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels connecting.</param>
    /// <returns>The connection.</returns>
    /// <exception cref="TimeoutException">No address answered within <see cref="TcpConnectorOptions.ConnectTimeout"/>.</exception>
    /// <exception cref="SocketException">Every address refused or failed; the last error.</exception>
    /// <exception cref="AuthenticationException">The TLS handshake failed (for example, the server's certificate was not trusted).</exception>
    public static async Task<Connection<TIn, TOut>> ConnectAsync<TIn, TOut>(
        EndPoint endPoint,
        Codec<TIn, TOut> codec,
        ConnectionHandler<TIn, TOut>? handler = null,
        TcpConnectorOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        ArgumentNullException.ThrowIfNull(codec);
        options ??= new TcpConnectorOptions();
        options.Validate();
        var receiveLimit = options.Connection.ReceiveBufferLimit(codec.Framing.MaxFrameLength, codec.Framing.MaxOverheadLength);
        var time = options.TimeProvider ?? TimeProvider.System;

        using var timeout = options.ConnectTimeout == Timeout.InfiniteTimeSpan
            ? new CancellationTokenSource()
            : new CancellationTokenSource(options.ConnectTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        Socket socket;
        try
        {
            socket = await OpenAsync(endPoint, options, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException(FormattableString.Invariant($"Connecting to {endPoint} timed out after {options.ConnectTimeout}."));
        }

        var tuple = SocketTuple.Of(socket);
        var inputOptions = options.Connection.InputPipeOptions(receiveLimit);
        Transport transport = new SocketTransport(socket, inputOptions, options.Tls is null ? ConnectionOptions.OutputPipeOptions : TlsTransport.InnerOutputPipeOptions);
        if (options.Tls is { } tlsOptions)
        {
            var tls = new TlsTransport(transport, inputOptions, ConnectionOptions.OutputPipeOptions);
            var targetHost = endPoint switch
            {
                DnsEndPoint dns => dns.Host,
                UnixDomainSocketEndPoint => "localhost", // a path names no host: set TlsClientOptions.TargetHost to check another name
                _ => tuple.RemoteAddress.ToString(),
            };
            if (await tls.AuthenticateAsClientAsync(tlsOptions.ToSslOptions(targetHost), tlsOptions.HandshakeTimeout, time, cancellationToken).ConfigureAwait(false) is { } failure)
            {
                cancellationToken.ThrowIfCancellationRequested();
                throw failure is TimeoutException ? failure : new AuthenticationException($"The TLS handshake with {endPoint} failed: {failure.Message}", failure);
            }

            transport = tls;
        }

        var logger = (options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger("SocketKit.Connections.Connection");
        Connection<TIn, TOut> connection;
        try
        {
            connection = new Connection<TIn, TOut>(transport, tuple, codec, handler, options.Connection,
                ConnectionTicker.Shared(time), logger, group: null, CancellationToken.None)
            {
                Origin = UnixPeerCredentials.Of(socket) is { } server ? new ConnectionOrigin(Peer: server) : null,
            };
        }
        catch
        {
            transport.Abort(); // a user's framer factory threw: the socket must not outlive the failed connect
            throw;
        }

        _ = connection.RunAsync();
        await connection.Opened.ConfigureAwait(false);
        return connection;
    }

    private static async Task<Socket> OpenAsync(EndPoint endPoint, TcpConnectorOptions options, CancellationToken cancellationToken)
    {
        if (endPoint is UnixDomainSocketEndPoint path)
        {
            return await OpenUnixAsync(path, options, cancellationToken).ConfigureAwait(false);
        }

        IPAddress[] addresses;
        int port;
        switch (endPoint)
        {
            case IPEndPoint ip:
                addresses = [ip.Address];
                port = ip.Port;
                break;
            case DnsEndPoint dns:
                addresses = await Dns.GetHostAddressesAsync(dns.Host, dns.AddressFamily, cancellationToken).ConfigureAwait(false);
                port = dns.Port;
                break;
            default:
                throw new ArgumentException("Only IPEndPoint, DnsEndPoint and UnixDomainSocketEndPoint are supported.", nameof(endPoint));
        }

        SocketException? last = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                if (options.LocalEndPoint is { } local)
                {
                    socket.Bind(local);
                }

                options.Socket.Apply(socket);
                await socket.ConnectAsync(new IPEndPoint(address, port), cancellationToken).ConfigureAwait(false);
                return socket;
            }
            catch (SocketException e)
            {
                socket.Dispose();
                last = e;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw last ?? new SocketException((int)SocketError.HostNotFound);
    }

    private static async Task<Socket> OpenUnixAsync(UnixDomainSocketEndPoint endPoint, TcpConnectorOptions options, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            options.Socket.Apply(socket);
            await socket.ConnectAsync(endPoint, cancellationToken).ConfigureAwait(false);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
