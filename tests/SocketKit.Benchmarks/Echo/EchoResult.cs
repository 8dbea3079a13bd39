namespace SocketKit.Benchmarks.Echo;

/// <summary>What one run of the scenarios measured for one server; NaN for a scenario not run.</summary>
public sealed record EchoResult(string Server)
{
    public double LatencyP50Us { get; set; } = double.NaN;
    public double LatencyP99Us { get; set; } = double.NaN;
    public double SmallMessagesPerSecond { get; set; } = double.NaN;
    public double SmallCpuUsPerMessage { get; set; } = double.NaN;
    public double BulkMegabytesPerSecond { get; set; } = double.NaN;
    public double BulkCpuMsPerGigabyte { get; set; } = double.NaN;
    public double StormConnectionsPerSecond { get; set; } = double.NaN;
    public double StormCpuUsPerConnection { get; set; } = double.NaN;
    public double IdleKibPerConnection { get; set; } = double.NaN;
    public double AllocatedBytesPerMessage { get; set; } = double.NaN;
}
