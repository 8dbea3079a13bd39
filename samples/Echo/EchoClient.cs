using System.Buffers;
using System.Net;
using System.Text;
using SocketKit.Codecs;
using SocketKit.Tcp;

namespace Echo;

/// <summary>The echo client: sends a few messages and prints each reply (pull mode: no handler).</summary>
public static class EchoClient
{
    public static readonly string[] Messages = ["hello", "from", "SocketKit", "echo!"];

    public static async Task<int> RunAsync(EndPoint server, TextWriter output, CancellationToken cancellationToken)
    {
        await using var connection = await TcpConnector.ConnectAsync(server, Codec.LengthPrefixed(), cancellationToken: cancellationToken);
        output.WriteLine($"client: connected    {connection}");
        await using var replies = connection.ReadAllAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
        foreach (var text in Messages)
        {
            await connection.SendAsync(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(text)), cancellationToken);
            output.WriteLine($"client: sent         \"{text}\"");
            if (!await replies.MoveNextAsync())
            {
                output.WriteLine("client: the server closed the connection early");
                return 1;
            }

            var reply = Encoding.UTF8.GetString(replies.Current);
            output.WriteLine($"client: received     \"{reply}\"");
            if (reply != text)
            {
                return 1;
            }
        }

        connection.Close();
        var closed = await connection.Completion;
        output.WriteLine($"client: disconnected {connection} ({closed})");
        return 0;
    }
}
