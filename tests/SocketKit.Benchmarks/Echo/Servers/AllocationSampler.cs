using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using System.Globalization;

namespace SocketKit.Benchmarks.Echo.Servers;

/// <summary>
/// Attributes a server's allocations by type: the runtime's GCAllocationTick event fires about once per 100 KB
/// allocated and names the type that crossed the mark. Enabled with SOCKETKIT_SAMPLE_ALLOCATIONS=1; ServerHost
/// samples between the two "stats" requests at the edges of each measured window and prints the result to stderr.
/// </summary>
public sealed class AllocationSampler : EventListener
{
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private readonly ConcurrentDictionary<string, long> _bytesByType = new();
    private volatile bool _recording;

    public static AllocationSampler? CreateIfRequested() =>
        Environment.GetEnvironmentVariable("SOCKETKIT_SAMPLE_ALLOCATIONS") == "1" ? new AllocationSampler() : null;

    public void Start()
    {
        _bytesByType.Clear();
        _recording = true;
    }

    public void StopAndReport(TextWriter writer)
    {
        _recording = false;
        var total = _bytesByType.Values.Sum();
        writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"allocation samples: {total:N0} bytes attributed"));
        foreach (var (type, bytes) in _bytesByType.OrderByDescending(pair => pair.Value).Take(20))
        {
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {bytes,14:N0}  {type}"));
        }
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Verbose, GcKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (!_recording || !(eventData.EventName?.StartsWith("GCAllocationTick", StringComparison.Ordinal) ?? false) || eventData.Payload is null)
        {
            return;
        }

        var type = eventData.PayloadNames!.IndexOf("TypeName") is var t and >= 0 ? eventData.Payload[t] as string ?? "?" : "?";
        var amount = eventData.PayloadNames.IndexOf("AllocationAmount64") is var a and >= 0 ? Convert.ToInt64(eventData.Payload[a], CultureInfo.InvariantCulture) : 0;
        _bytesByType.AddOrUpdate(type, amount, (_, sum) => sum + amount);
    }
}
