using System.Net;
using System.Net.Sockets;

namespace SocketKit.IntegrationTests.Infrastructure;

/// <summary>
/// A TCP forwarder in the test, between a client and a server, that can drop every connection and refuse or accept
/// new ones on command. While refusing it keeps its port with a bound socket that does not listen, so connects are
/// refused and no other test can take the port.
/// </summary>
public sealed class TcpForwarder : IAsyncDisposable
{
    private readonly IPEndPoint _target;
    private readonly List<(Socket Client, Socket Server)> _pairs = new();
    private readonly CancellationTokenSource _stop = new();
    private Socket _listener;
    private Task _acceptLoop;

    public TcpForwarder(IPEndPoint target)
    {
        Loopback.Require(target.Address);
        _target = target;
        _listener = Listen(new IPEndPoint(IPAddress.Loopback, 0));
        EndPoint = (IPEndPoint)_listener.LocalEndPoint!;
        _acceptLoop = AcceptLoopAsync(_listener);
    }

    public IPEndPoint EndPoint { get; }

    /// <summary>Connections forwarded so far.</summary>
    public int Forwarded { get; private set; }

    /// <summary>New connections are refused (RST to the SYN) until <see cref="AcceptAsync"/>.</summary>
    public async Task RefuseAsync()
    {
        var listening = _listener;
        _listener = Bound(EndPoint, listening);
        await _acceptLoop;
    }

    /// <summary>New connections are forwarded again.</summary>
    public void Accept()
    {
        var placeholder = _listener;
        placeholder.Dispose();
        _listener = Listen(EndPoint);
        _acceptLoop = AcceptLoopAsync(_listener);
    }

    /// <summary>Resets every forwarded connection, both sides.</summary>
    public void DropAll()
    {
        lock (_pairs)
        {
            foreach (var (client, server) in _pairs)
            {
                Reset(client);
                Reset(server);
            }

            _pairs.Clear();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        DropAll();
        await _acceptLoop;
        _stop.Dispose();
    }

    private static Socket Listen(IPEndPoint endPoint)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        socket.Bind(endPoint);
        socket.Listen(64);
        return socket;
    }

    /// <summary>Swaps the listener for a socket that holds the port without listening.</summary>
    private static Socket Bound(IPEndPoint endPoint, Socket listening)
    {
        listening.Dispose();
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        socket.Bind(endPoint);
        return socket;
    }

    private static void Reset(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
        }
        catch (ObjectDisposedException)
        {
        }

        socket.Dispose();
    }

    private async Task AcceptLoopAsync(Socket listener)
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(_stop.Token);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
            {
                return; // refusing now, or disposed
            }

            var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await server.ConnectAsync(_target, _stop.Token);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
                Reset(client);
                server.Dispose();
                continue;
            }

            lock (_pairs)
            {
                _pairs.Add((client, server));
                Forwarded++;
            }

            _ = PumpAsync(client, server);
            _ = PumpAsync(server, client);
        }
    }

    private static async Task PumpAsync(Socket from, Socket to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None);
                if (read == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }

                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            Reset(to); // one side reset or was dropped: reset the other too
        }
    }
}
