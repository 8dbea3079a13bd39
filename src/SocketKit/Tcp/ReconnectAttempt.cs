namespace SocketKit.Tcp;

/// <summary>One scheduled reconnection attempt, as told to <see cref="ReconnectHandler{TIn, TOut}.OnReconnectingAsync"/>.</summary>
/// <param name="Attempt">The attempt's number since the last connection (1 for the first retry).</param>
/// <param name="Delay">How long the client waits before it.</param>
/// <param name="LastError">Why the connection ended or the previous attempt failed; <see langword="null"/> after a clean close by the peer.</param>
public sealed record ReconnectAttempt(int Attempt, TimeSpan Delay, Exception? LastError);
