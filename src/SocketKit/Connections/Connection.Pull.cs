using System.Runtime.CompilerServices;

namespace SocketKit.Connections;

// Pull mode: ReadAllAsync and the claim that keeps one reader of the input at a time.
public sealed partial class Connection<TIn, TOut>
{
    private const int ReaderUnclaimed = 0;
    private const int ReaderClaimed = 1;
    private const int ReaderClosed = 2;
    private const int ReaderNoticing = 3; // held for an instant by the transport's thread (NoticeEndWhileUnread), never across user code

    private int _readerClaimed;

    /// <summary>
    /// Pull mode: the received messages, in order, for a connection created without a handler. Ends when the
    /// peer finishes sending or the connection closes. A message that refers to the input buffer is valid until
    /// the next <c>MoveNextAsync</c>. One enumeration at a time; ending one early (cancelling it, or leaving the
    /// loop) keeps the connection open and what was not read yet buffered, and the next enumeration continues from there.
    /// </summary>
    /// <param name="cancellationToken">Stops the enumeration with <see cref="OperationCanceledException"/>; the connection stays open.</param>
    /// <returns>The messages.</returns>
    /// <exception cref="InvalidOperationException">The connection has a handler, or another enumeration is running.</exception>
    public async IAsyncEnumerable<TIn> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (_handler is not null)
        {
            throw new InvalidOperationException("This connection delivers its messages to its handler; ReadAllAsync is for connections created without one.");
        }

        var claim = ClaimReader();
        if (claim == ReaderClaimed)
        {
            throw new InvalidOperationException("ReadAllAsync is already being enumerated; a connection has one reader at a time.");
        }

        if (claim == ReaderClosed)
        {
            yield break;
        }

        try
        {
            if (State == ConnectionState.Connecting)
            {
                await Opened.WaitAsync(cancellationToken).ConfigureAwait(false); // made by Upgrade: the input is not ours until the handover
            }

            using var registration = cancellationToken.UnsafeRegister(static state => ((Connection<TIn, TOut>)state!).Wake(), this);
            while (await ReadNextAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return _current;
            }
        }
        finally
        {
            _current = default!;
            if (ReturnReader(ReaderClaimed))
            {
                NoticeEndWhileUnread(); // the FIN may have come while this enumeration was not reading
            }
        }
    }

    /// <summary>
    /// Pull mode: claims the input for an enumeration or an upgrade. Returns the state found: <see cref="ReaderUnclaimed"/>
    /// means the claim is now held. A notice of the peer's end holds it only for a few non-blocking steps, so that is
    /// waited out rather than reported as a second reader.
    /// </summary>
    private int ClaimReader()
    {
        var spin = default(SpinWait);
        int found;
        while ((found = Interlocked.CompareExchange(ref _readerClaimed, ReaderClaimed, ReaderUnclaimed)) == ReaderNoticing)
        {
            spin.SpinOnce();
        }

        return found;
    }

    /// <summary>
    /// Pull mode: gives the reader claim back. False if the connection finished meanwhile: the finish left the input to
    /// the claimer, so it is released here.
    /// </summary>
    private bool ReturnReader(int heldAs)
    {
        if (Interlocked.CompareExchange(ref _readerClaimed, ReaderUnclaimed, heldAs) != ReaderClosed)
        {
            return true;
        }

        ReleaseBuffer();
        _transport.Input.Complete();
        return false;
    }

    /// <summary>
    /// Pull mode, nobody enumerating: if the peer has finished and everything it sent has been read, the connection
    /// ends now as it would under an enumeration, instead of staying open until someone reads again.
    /// </summary>
    private void NoticeEndWhileUnread()
    {
        if (_handler is not null || !Volatile.Read(ref _peerFinished)
            || Interlocked.CompareExchange(ref _readerClaimed, ReaderNoticing, ReaderUnclaimed) != ReaderUnclaimed)
        {
            return;
        }

        if (_hasBuffer && _buffer.IsEmpty && !_inputCompleted)
        {
            ReleaseBuffer(); // an empty read held from before (a cancelled wait): look again
        }

        if (!_hasBuffer && _transport.Input.TryRead(out var result))
        {
            _buffer = result.Buffer;
            _hasBuffer = true;
            _inputCompleted = result.IsCompleted;
        }

        var ended = _hasBuffer && _inputCompleted && _buffer.IsEmpty;
        if (ended)
        {
            ReleaseBuffer();
        }

        if (ReturnReader(ReaderNoticing) && ended)
        {
            EndInput(); // after the claim is back: the close runs the application's cancellation callbacks
        }
    }
}
