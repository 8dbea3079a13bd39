using System.Net.Sockets;
using System.Threading.Tasks.Sources;

namespace SocketKit.Transports;

/// <summary>
/// A reusable gathered send (one <c>sendmsg</c> for several buffers). <see cref="Socket.SendAsync(IList{ArraySegment{byte}}, SocketFlags)"/>
/// returns a new <see cref="Task{TResult}"/> per call (about 70 bytes per bulk batch); this operation is a
/// <see cref="SocketAsyncEventArgs"/> that is its own <see cref="IValueTaskSource{TResult}"/>, so a send allocates nothing.
/// One send at a time; the connection's send loop owns it and disposes it when it ends.
/// </summary>
internal sealed class GatherSendOperation : SocketAsyncEventArgs, IValueTaskSource<int>
{
    private ManualResetValueTaskSourceCore<int> _source; // continuations run on the completing thread, like the socket's own ValueTask operations

    public GatherSendOperation()
        : base(unsafeSuppressExecutionContextFlow: true)
    {
    }

    /// <summary>Sends every byte of <paramref name="buffers"/> (a stream socket sends them all or fails).</summary>
    public ValueTask<int> SendAsync(Socket socket, IList<ArraySegment<byte>> buffers)
    {
        _source.Reset();
        BufferList = buffers;
        if (socket.SendAsync(this))
        {
            return new ValueTask<int>(this, _source.Version);
        }

        BufferList = null;
        return SocketError == SocketError.Success
            ? new ValueTask<int>(BytesTransferred)
            : ValueTask.FromException<int>(new SocketException((int)SocketError));
    }

    protected override void OnCompleted(SocketAsyncEventArgs e)
    {
        BufferList = null; // do not hold the pipe's blocks past the send
        if (SocketError == SocketError.Success)
        {
            _source.SetResult(BytesTransferred);
        }
        else
        {
            _source.SetException(new SocketException((int)SocketError));
        }
    }

    int IValueTaskSource<int>.GetResult(short token) => _source.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<int>.GetStatus(short token) => _source.GetStatus(token);

    void IValueTaskSource<int>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _source.OnCompleted(continuation, state, token, flags);
}
