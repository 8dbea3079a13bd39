namespace SocketKit.Benchmarks.Echo;

/// <summary>What one run of the scenarios measured for one server.</summary>
public sealed record EchoResult(string Server)
{
    public double LatencyP50Us { get; set; }
    public double LatencyP99Us { get; set; }
    public double SmallMessagesPerSecond { get; set; }
    public double SmallCpuUsPerMessage { get; set; }
    public double BulkMegabytesPerSecond { get; set; }
    public double BulkCpuMsPerGigabyte { get; set; }
    public double StormConnectionsPerSecond { get; set; }
    public double IdleKibPerConnection { get; set; }
    public double AllocatedBytesPerMessage { get; set; } = double.NaN;
}
