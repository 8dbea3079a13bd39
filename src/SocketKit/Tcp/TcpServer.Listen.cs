using System.Net;
using System.Net.Sockets;
using SocketKit.Internal;

namespace SocketKit.Tcp;

// Binding the listeners: IP endpoints (dual mode, SO_REUSEPORT) and Unix domain socket paths (stale files, permissions).
public sealed partial class TcpServer<TIn, TOut>
{
    private const int EnxioNoSuchDeviceOrAddress = 6; // what open(2) says of a socket file

    /// <summary>Binds and listens on every configured endpoint, or on none (closing what it opened) if one fails.</summary>
    private void BindListeners()
    {
        var bound = new List<IPEndPoint>();
        var boundUnix = new List<UnixDomainSocketEndPoint>();
        try
        {
            foreach (var endPoint in _options.EndPoints)
            {
                var listener = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                _listeners.Add(listener);
                if (endPoint.AddressFamily == AddressFamily.InterNetworkV6 && endPoint.Address.Equals(IPAddress.IPv6Any))
                {
                    listener.DualMode = _options.DualMode;
                }

                if (OperatingSystem.IsLinux() && _options.ReusePort)
                {
                    // SO_REUSEPORT (SOL_SOCKET 1, option 15 on Linux): must be set before bind on every socket sharing the port.
                    listener.SetRawSocketOption(1, 15, BitConverter.GetBytes(1));
                }

                try
                {
                    listener.Bind(endPoint);
                }
                catch (SocketException e)
                {
                    throw BindFailure.Named(e, "TCP", endPoint);
                }

                listener.Listen(_options.Backlog);
                bound.Add((IPEndPoint)listener.LocalEndPoint!);
                Log.Listening(_logger, listener.LocalEndPoint);
            }

            foreach (var endPoint in _options.UnixEndPoints)
            {
                var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                _listeners.Add(listener);
                BindUnix(listener, endPoint);
                listener.Listen(_options.Backlog);
                boundUnix.Add(endPoint);
                Log.Listening(_logger, endPoint);
            }
        }
        catch
        {
            foreach (var listener in _listeners)
            {
                listener.Dispose(); // also removes the socket files bound so far
            }

            _listeners.Clear();
            throw;
        }

        _endPoints = bound;
        _unixEndPoints = boundUnix;
    }

    /// <summary>
    /// Binds a Unix domain socket path, replacing a socket file left by a server that is gone (nothing accepts on it),
    /// but never a live server's socket or a file that is not a socket. The runtime removes the file when the listener is
    /// disposed at stop.
    /// </summary>
    /// <exception cref="IOException">A server is listening on the path, or the path is taken by something that is not a socket.</exception>
    private void BindUnix(Socket listener, UnixDomainSocketEndPoint endPoint)
    {
        var path = endPoint.ToString();
        try
        {
            listener.Bind(endPoint);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse && !IsAbstract(path))
        {
            if (!IsSocketFile(path!))
            {
                throw new IOException($"Cannot listen on {path}: the path exists and is not a socket. Remove it or choose another path.", e);
            }

            if (!IsStale(endPoint))
            {
                throw new IOException($"Cannot listen on {path}: another server is accepting connections on it.", e);
            }

            // Nobody accepts on it: a server that died without cleaning up left it. Between this check and the bind another
            // server may start on the path; its bind then fails, as it should, with the path taken.
            Log.StaleSocketRemoved(_logger, path!);
            File.Delete(path!);
            listener.Bind(endPoint);
        }

        if (_options.UnixSocketFileMode is { } mode && !IsAbstract(path) && !OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path!, mode);
        }
    }

    // Linux's abstract namespace (a leading NUL) has no file: nothing to go stale or to set permissions on.
    private static bool IsAbstract(string? path) => string.IsNullOrEmpty(path) || path[0] == '\0';

    private static bool IsSocketFile(string path)
    {
        if (Directory.Exists(path))
        {
            return false;
        }

        try
        {
            // open(2) refuses a socket file with ENXIO; anything that opens is a file of some other kind.
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
            return false;
        }
        catch (IOException e) when (e.HResult == EnxioNoSuchDeviceOrAddress)
        {
            return true;
        }
        catch (FileNotFoundException)
        {
            return true; // it vanished meanwhile: nothing to protect, the bind again will tell
        }
        catch (UnauthorizedAccessException e)
        {
            throw new IOException($"Cannot listen on {path}: it exists, and this process may not examine it.", e);
        }
    }

    /// <summary>Whether nothing listens on the socket file: a local connect is refused at once (non-blocking, so a full backlog cannot stall the start).</summary>
    private static bool IsStale(UnixDomainSocketEndPoint endPoint)
    {
        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified) { Blocking = false };
        try
        {
            probe.Connect(endPoint);
            return false;
        }
        catch (SocketException e)
        {
            return e.SocketErrorCode == SocketError.ConnectionRefused; // would-block means a live server with a full backlog
        }
    }
}
