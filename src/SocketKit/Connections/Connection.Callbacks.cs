using SocketKit.Codecs;
using SocketKit.Internal;

namespace SocketKit.Connections;

// Running the handler's callbacks so that none of them can take more than its own connection down.
public sealed partial class Connection<TIn, TOut>
{
    private async ValueTask NotifyDisconnectedAsync(CloseInfo info)
    {
        try
        {
            await _handler!.OnDisconnectedAsync(this, info, _ownerStopping).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Log.DisconnectHandlerFailed(_logger, Id, Tuple, e);
        }
    }

    private async ValueTask ReleaseHandlerAsync()
    {
        if (_handler is null || HandlerFactory is null)
        {
            return;
        }

        try
        {
            await HandlerFactory.ReleaseAsync(_handler, _ownerStopping).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Log.HandlerReleaseFailed(_logger, Id, Tuple, e);
        }
    }

    /// <summary>
    /// The input broke the protocol: nothing more is read or dispatched, but the handler may still send its answer
    /// (an HTTP 400, a WebSocket close frame) before the connection closes with <see cref="CloseReason.ProtocolError"/>.
    /// </summary>
    private async ValueTask HaveLastWordAsync(ProtocolException error)
    {
        Log.ProtocolError(_logger, Id, Tuple, error);
        try
        {
            await EndBatchAsync().ConfigureAwait(false); // the answer is sent outside a dispatch: the batch's lock must be free
            await _handler!.OnProtocolErrorAsync(this, error, Closing).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !IsClosing)
        {
            Log.HandlerFailed(_logger, Id, Tuple, e);
        }
        catch (OperationCanceledException)
        {
            // Closed meanwhile, and the handler honoured the token.
        }

        TryClose(CloseReason.ProtocolError, error);
    }

    private static void CancelQuietly(CancellationTokenSource cts)
    {
        try
        {
            cts.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Already finished.
        }
        catch (AggregateException)
        {
            // A user's token callback threw; it must not take the connection down.
        }
    }

    /// <summary>A handler callback threw: close this connection only, with the matching reason.</summary>
    private void OnCallbackFailed(Exception e)
    {
        if (e is OperationCanceledException && IsClosing)
        {
            return; // the handler honoured the closing token
        }

        if (e is ProtocolException)
        {
            Log.ProtocolError(_logger, Id, Tuple, e);
            TryClose(CloseReason.ProtocolError, e);
        }
        else
        {
            Log.HandlerFailed(_logger, Id, Tuple, e);
            TryClose(CloseReason.HandlerError, e);
        }
    }
}
