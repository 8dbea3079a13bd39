using System.Runtime.InteropServices;

namespace SocketKit.Servers;

/// <summary>
/// The signals a service is stopped with (SIGINT from Ctrl+C, SIGTERM from systemd, Docker and Kubernetes, SIGQUIT),
/// taken over while a server runs without a token: the first asks for a graceful stop, a second cuts its drain short.
/// The process is not terminated by them meanwhile; it ends when the program returns.
/// </summary>
internal sealed class StopSignals : IDisposable
{
    private static readonly PosixSignal[] Handled = [PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGQUIT];
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _stopNow = new();
    private readonly List<PosixSignalRegistration> _registrations = new(Handled.Length);
    private int _received;

    public StopSignals()
    {
        foreach (var signal in Handled)
        {
            try
            {
                _registrations.Add(PosixSignalRegistration.Create(signal, OnSignal));
            }
            catch (PlatformNotSupportedException)
            {
                // A platform without this signal (browser, mobile): it cannot be sent, so there is nothing to handle.
            }
        }
    }

    /// <summary>Cancelled by the first signal.</summary>
    public CancellationToken StopRequested => _stop.Token;

    /// <summary>Cancelled by a second signal: the operator will not wait for the drain.</summary>
    public CancellationToken StopNow => _stopNow.Token;

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }

        _stop.Dispose();
        _stopNow.Dispose();
    }

    /// <summary>What a signal does; internal for tests, which cannot send this process a signal.</summary>
    internal void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true; // handled here: the server stops and the program returns
        try
        {
            (Interlocked.Increment(ref _received) == 1 ? _stop : _stopNow).Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The signal came as the run ended.
        }
    }
}
