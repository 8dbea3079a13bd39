using Microsoft.Extensions.Logging;

namespace SocketKit.Internal;

/// <summary>Every log line SocketKit writes, source-generated, with stable event ids.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Debug, "Connection {Id} {Tuple} opened")]
    public static partial void ConnectionOpened(ILogger logger, long id, FiveTuple tuple);

    [LoggerMessage(2, LogLevel.Debug, "Connection {Id} {Tuple} closed: {CloseInfo}")]
    public static partial void ConnectionClosed(ILogger logger, long id, FiveTuple tuple, object closeInfo); // a CloseInfo: Internal knows nothing of connections

    [LoggerMessage(3, LogLevel.Warning, "Connection {Id} {Tuple}: handler failed")]
    public static partial void HandlerFailed(ILogger logger, long id, FiveTuple tuple, Exception error);

    [LoggerMessage(4, LogLevel.Information, "Connection {Id} {Tuple}: protocol error")]
    public static partial void ProtocolError(ILogger logger, long id, FiveTuple tuple, Exception error);

    [LoggerMessage(5, LogLevel.Debug, "Connection {Id} {Tuple}: non-fatal error")]
    public static partial void NonFatalError(ILogger logger, long id, FiveTuple tuple, Exception error);

    [LoggerMessage(6, LogLevel.Warning, "Accept on {EndPoint} failed; retrying in {Delay}")]
    public static partial void AcceptFailed(ILogger logger, System.Net.EndPoint? endPoint, TimeSpan delay, Exception error);

    [LoggerMessage(7, LogLevel.Information, "Rejected {Tuple}: {Why}")]
    public static partial void ConnectionRejected(ILogger logger, FiveTuple tuple, string why);

    [LoggerMessage(8, LogLevel.Information, "Listening on {EndPoint}")]
    public static partial void Listening(ILogger logger, System.Net.EndPoint? endPoint);

    [LoggerMessage(9, LogLevel.Information, "Stopping: {Count} connections open, drain timeout {DrainTimeout}")]
    public static partial void Stopping(ILogger logger, int count, TimeSpan drainTimeout);

    [LoggerMessage(10, LogLevel.Warning, "Connection {Id} {Tuple}: OnDisconnectedAsync failed")]
    public static partial void DisconnectHandlerFailed(ILogger logger, long id, FiveTuple tuple, Exception error);

    [LoggerMessage(11, LogLevel.Warning, "Accept filter failed for {Tuple}; the connection was rejected")]
    public static partial void AcceptFilterFailed(ILogger logger, FiveTuple tuple, Exception error);

    [LoggerMessage(12, LogLevel.Information, "UDP endpoint bound to {EndPoint}")]
    public static partial void UdpBound(ILogger logger, System.Net.EndPoint? endPoint);

    [LoggerMessage(13, LogLevel.Debug, "UDP {Tuple}: non-fatal error")]
    public static partial void UdpNonFatalError(ILogger logger, FiveTuple tuple, Exception error);

    [LoggerMessage(14, LogLevel.Warning, "UDP {Tuple}: handler failed")]
    public static partial void UdpHandlerFailed(ILogger logger, FiveTuple tuple, Exception error);

    [LoggerMessage(15, LogLevel.Error, "UDP endpoint {EndPoint}: receiving failed; the endpoint stopped receiving")]
    public static partial void UdpReceiveFailed(ILogger logger, System.Net.EndPoint? endPoint, Exception error);

    [LoggerMessage(16, LogLevel.Information, "TLS handshake with {Tuple} failed; the connection was reset")]
    public static partial void HandshakeFailed(ILogger logger, FiveTuple tuple, Exception error);

    [LoggerMessage(17, LogLevel.Error, "Connection {Id} {Tuple}: the transport failed while closing")]
    public static partial void TransportShutdownFailed(ILogger logger, long id, FiveTuple tuple, Exception error);

    [LoggerMessage(18, LogLevel.Warning, "ConfigureSocket failed for {Tuple}; the connection was rejected")]
    public static partial void ConfigureSocketFailed(ILogger logger, FiveTuple tuple, Exception error);

    [LoggerMessage(19, LogLevel.Error, "Setting up the connection {Tuple} failed; it was dropped")]
    public static partial void SetupFailed(ILogger logger, FiveTuple tuple, Exception error);

    [LoggerMessage(22, LogLevel.Information, "PROXY header from {Tuple} refused; the connection was reset")]
    public static partial void ProxyHeaderRefused(ILogger logger, FiveTuple tuple, Exception error);

    [LoggerMessage(21, LogLevel.Debug, "Connection {Id} {Tuple} upgraded to {Protocol}")]
    public static partial void ConnectionUpgraded(ILogger logger, long id, FiveTuple tuple, string protocol);

    [LoggerMessage(20, LogLevel.Warning, "Connection {Id} {Tuple}: releasing its handler failed")]
    public static partial void HandlerReleaseFailed(ILogger logger, long id, FiveTuple tuple, Exception error);

    [LoggerMessage(23, LogLevel.Warning, "Removed the stale Unix domain socket file {Path}: nothing was accepting on it")]
    public static partial void StaleSocketRemoved(ILogger logger, string path);
}
