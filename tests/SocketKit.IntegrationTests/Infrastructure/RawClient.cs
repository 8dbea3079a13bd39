using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace SocketKit.IntegrationTests.Infrastructure;

/// <summary>A plain-socket client for driving a server byte by byte: frames, garbage, FIN and RST.</summary>
public sealed class RawClient : IDisposable
{
    private readonly Socket _socket;
    private long _flooded;

    private RawClient(Socket socket) => _socket = socket;

    public IPEndPoint LocalEndPoint => (IPEndPoint)_socket.LocalEndPoint!;

    /// <param name="server">A loopback endpoint.</param>
    /// <param name="source">The local address to connect from, if not the default.</param>
    /// <param name="receiveBufferSize">SO_RCVBUF before connecting (a small one makes a client that does not read fill up fast).</param>
    public static async Task<RawClient> ConnectAsync(IPEndPoint server, IPAddress? source = null, int? receiveBufferSize = null)
    {
        Loopback.Require(server.Address);
        var socket = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        if (receiveBufferSize is { } size)
        {
            socket.ReceiveBufferSize = size;
        }

        if (source is not null)
        {
            socket.Bind(new IPEndPoint(source, 0));
        }

        await AsyncAssert.Within(socket.ConnectAsync(server), "connect");
        return new RawClient(socket);
    }

    /// <summary>
    /// Connects to a server expected to refuse the connection, and says how it ended: "fin" or "reset"
    /// (the reset can arrive so fast that the connect itself reports it).
    /// </summary>
    public static async Task<string> ConnectExpectingRefusalAsync(IPEndPoint server, IPAddress? source = null)
    {
        RawClient client;
        try
        {
            client = await ConnectAsync(server, source);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            return "reset";
        }

        using (client)
        {
            return await client.WaitForEndAsync();
        }
    }

    public static byte[] Frame(byte[] payload)
    {
        var frame = new byte[4 + payload.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame, payload.Length);
        payload.CopyTo(frame, 4);
        return frame;
    }

    public Task SendAsync(byte[] bytes) => AsyncAssert.Within(_socket.SendAsync(bytes, SocketFlags.None), "send");

    public Task SendFrameAsync(byte[] payload) => SendAsync(Frame(payload));

    /// <summary>Reads one 4-byte big-endian length-prefixed frame's payload; null at end of stream.</summary>
    public async Task<byte[]?> ReadFrameAsync()
    {
        var header = await ReadExactlyOrEndAsync(4);
        if (header is null)
        {
            return null;
        }

        var length = BinaryPrimitives.ReadInt32BigEndian(header);
        return length == 0 ? [] : await ReadExactlyOrEndAsync(length) ?? throw new EndOfStreamException("truncated frame");
    }

    /// <summary>Reads until the server's FIN; throws SocketException on a reset.</summary>
    public async Task<byte[]> ReadToEndAsync()
    {
        var all = new MemoryStream();
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var n = await AsyncAssert.Within(_socket.ReceiveAsync(buffer, SocketFlags.None), "receive");
            if (n == 0)
            {
                return all.ToArray();
            }

            all.Write(buffer, 0, n);
        }
    }

    /// <summary>Waits until the server ends the connection, by FIN or RST.</summary>
    public async Task<string> WaitForEndAsync()
    {
        try
        {
            await ReadToEndAsync();
            return "fin";
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            return "reset";
        }
    }

    /// <summary>
    /// Sends <paramref name="chunk"/> again and again, never reading, until the server ends the connection or
    /// <paramref name="maxBytes"/> have gone. Returns the bytes the OS took and the error that stopped it (null: the cap).
    /// </summary>
    public async Task<(long Sent, SocketError? Error)> FloodAsync(ReadOnlyMemory<byte> chunk, long maxBytes)
    {
        try
        {
            while (Volatile.Read(ref _flooded) < maxBytes)
            {
                Interlocked.Add(ref _flooded, await _socket.SendAsync(chunk, SocketFlags.None));
            }

            return (Flooded, null);
        }
        catch (SocketException e)
        {
            return (Flooded, e.SocketErrorCode);
        }
    }

    /// <summary>The bytes <see cref="FloodAsync"/> has sent so far.</summary>
    public long Flooded => Volatile.Read(ref _flooded);

    /// <summary>
    /// Length-prefixed frames of <paramref name="size"/> bytes each (payload i filled with i), cut into writes that each
    /// end half way through a frame: the first write is half a frame, every later one the rest of one frame and half of
    /// the next, the last one the rest. A server never sees a read end on a frame boundary.
    /// </summary>
    public static IReadOnlyList<byte[]> UnalignedWrites(int frames, int size, out IReadOnlyList<byte[]> payloads)
    {
        var all = new List<byte[]>();
        var stream = new MemoryStream();
        for (var i = 0; i < frames; i++)
        {
            var payload = new byte[size];
            Array.Fill(payload, (byte)i);
            all.Add(payload);
            stream.Write(Frame(payload));
        }

        payloads = all;
        var bytes = stream.ToArray();
        var frameLength = 4 + size;
        var writes = new List<byte[]>();
        var start = 0;
        for (var end = frameLength / 2; start < bytes.Length; end = Math.Min(bytes.Length, end + frameLength))
        {
            writes.Add(bytes[start..end]);
            start = end;
        }

        return writes;
    }

    public void ShutdownSend() => _socket.Shutdown(SocketShutdown.Send);

    /// <summary>Closes with SO_LINGER 0: the server sees an RST.</summary>
    public void Reset()
    {
        _socket.LingerState = new LingerOption(true, 0);
        _socket.Close();
    }

    public void Dispose() => _socket.Dispose();

    private async Task<byte[]?> ReadExactlyOrEndAsync(int count)
    {
        var buffer = new byte[count];
        var read = 0;
        while (read < count)
        {
            var n = await AsyncAssert.Within(_socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None).AsTask(), "receive");
            if (n == 0)
            {
                return read == 0 ? null : throw new EndOfStreamException($"end of stream after {read} of {count} bytes");
            }

            read += n;
        }

        return buffer;
    }
}
