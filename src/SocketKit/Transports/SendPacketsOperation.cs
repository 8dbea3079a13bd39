using System.Net.Sockets;

namespace SocketKit.Transports;

/// <summary>One <see cref="Socket.SendPacketsAsync"/> call (a file region sent by the kernel, no copy through user space), awaitable.</summary>
internal sealed class SendPacketsOperation : SocketAsyncEventArgs
{
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private SendPacketsOperation()
        : base(unsafeSuppressExecutionContextFlow: true)
    {
    }

    /// <summary>Sends <paramref name="count"/> bytes of <paramref name="file"/> from <paramref name="offset"/>.</summary>
    public static async Task SendAsync(Socket socket, FileStream file, long offset, int count)
    {
        using var operation = new SendPacketsOperation { SendPacketsElements = [new SendPacketsElement(file, offset, count, endOfPacket: true)] };
        if (!socket.SendPacketsAsync(operation))
        {
            operation.OnCompleted(operation); // completed at once: Completed is not raised
        }

        await operation._done.Task.ConfigureAwait(false);
    }

    protected override void OnCompleted(SocketAsyncEventArgs e)
    {
        if (SocketError == SocketError.Success)
        {
            _done.TrySetResult();
        }
        else
        {
            _done.TrySetException(new SocketException((int)SocketError));
        }
    }
}
