using System.Runtime.InteropServices;
using SocketKit.Servers;

namespace SocketKit.Tests.Servers;

/// <summary>
/// What <c>RunAsync()</c> does with the stop signals: the first asks for a graceful stop, a second cuts the drain short,
/// and neither ends the process. (Sending real signals is the Echo sample's process test; this process must not get them.)
/// </summary>
public class StopSignalsTests
{
    [Theory]
    [InlineData(PosixSignal.SIGINT)]
    [InlineData(PosixSignal.SIGTERM)]
    [InlineData(PosixSignal.SIGQUIT)]
    public void The_first_signal_asks_for_a_graceful_stop_and_keeps_the_process_running(PosixSignal signal)
    {
        using var signals = new StopSignals();
        var context = new PosixSignalContext(signal);

        signals.OnSignal(context);

        Assert.True(context.Cancel, "the signal's default action (ending the process) was not cancelled");
        Assert.True(signals.StopRequested.IsCancellationRequested);
        Assert.False(signals.StopNow.IsCancellationRequested);
    }

    [Fact]
    public void A_second_signal_cuts_the_drain_short()
    {
        using var signals = new StopSignals();
        signals.OnSignal(new PosixSignalContext(PosixSignal.SIGTERM));

        var second = new PosixSignalContext(PosixSignal.SIGINT);
        signals.OnSignal(second);

        Assert.True(second.Cancel);
        Assert.True(signals.StopNow.IsCancellationRequested);
    }

    [Fact]
    public void A_signal_after_the_run_ended_is_ignored()
    {
        var signals = new StopSignals();
        signals.Dispose();

        Assert.Null(Record.Exception(() => signals.OnSignal(new PosixSignalContext(PosixSignal.SIGTERM)))); // not on the signal thread
    }
}
