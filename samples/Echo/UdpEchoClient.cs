using System.Buffers;
using System.Net;
using System.Text;
using SocketKit.Codecs;
using SocketKit.Udp;

namespace Echo;

/// <summary>The UDP echo client: a connected endpoint that sends a few datagrams and prints each reply (pull mode).</summary>
public static class UdpEchoClient
{
    public static async Task<int> RunAsync(IPEndPoint server, TextWriter output, CancellationToken cancellationToken)
    {
        await using var client = new UdpEndpoint<ReadOnlySequence<byte>, ReadOnlySequence<byte>>(
            new UdpEndpointOptions { RemoteEndPoint = server }, BytesCodec.Instance, BytesCodec.Instance);
        await client.StartAsync(cancellationToken);
        await using var replies = client.ReceiveAllAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
        foreach (var text in EchoClient.Messages)
        {
            await client.SendAsync(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(text)), cancellationToken);
            output.WriteLine($"client: sent     \"{text}\"");
            // UDP promises nothing: give up on a reply after two seconds rather than wait forever.
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
            if (!await replies.MoveNextAsync().AsTask().WaitAsync(timeout.Token))
            {
                return 1;
            }

            var reply = Encoding.UTF8.GetString(replies.Current.Message);
            output.WriteLine($"client: received \"{reply}\" on {replies.Current.Tuple}");
            if (reply != text)
            {
                return 1;
            }
        }

        return 0;
    }
}
