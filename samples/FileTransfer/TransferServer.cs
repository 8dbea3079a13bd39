using System.Buffers;
using System.Net;
using SocketKit.Tcp;

namespace FileTransfer;

/// <summary>The server: a <see cref="TransferSession"/> per connection over one served folder.</summary>
public static class TransferServer
{
    public static TcpServer<ReadOnlySequence<byte>, string> Create(IPEndPoint endPoint, string root)
    {
        var options = new TcpServerOptions { EndPoints = { endPoint } };
        options.Connection.WriteTimeout = TimeSpan.FromMinutes(1); // a client that takes no bytes for a minute is reset
        return new TcpServer<ReadOnlySequence<byte>, string>(options, TransferProtocol.Codec, new TransferSessions(new ServedFolder(root)));
    }

    public static async Task<int> RunAsync(IPEndPoint endPoint, string root, CancellationToken stop)
    {
        Directory.CreateDirectory(root);
        await using var server = Create(endPoint, root);
        await server.StartAsync(stop);
        Console.WriteLine($"serving {Path.GetFullPath(root)} on {server.EndPoints[0]}; Ctrl+C or SIGTERM to stop");
        await server.RunAsync(stop);
        return 0;
    }
}
