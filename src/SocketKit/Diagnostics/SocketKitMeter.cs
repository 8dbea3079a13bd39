using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;
using SocketKit.Internal;

namespace SocketKit.Diagnostics;

/// <summary>
/// The process-wide meter and activity source. Events (a connection opened, closed, rejected) are recorded as they
/// happen; traffic and UDP drops are counted by each connection or server in plain fields and read only when a
/// listener collects, through observable instruments, so a message costs the same with or without a listener.
/// </summary>
internal static class SocketKitMeter
{
    private static readonly string? Version = typeof(SocketKitMeter).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
    private static readonly Meter Meter = new(SocketKitDiagnostics.MeterName, Version);
    private static readonly List<ServerMetrics> Registered = new();

    public static readonly ActivitySource Activities = new(SocketKitDiagnostics.ActivitySourceName, Version);

    public static readonly Counter<long> Opened = Meter.CreateCounter<long>(
        "socketkit.connection.opened", "{connection}", "Connections opened: accepted and set up (after the accept filter and the TLS handshake).");

    public static readonly Counter<long> Closed = Meter.CreateCounter<long>(
        "socketkit.connection.closed", "{connection}", "Connections closed, by close reason.");

    public static readonly Histogram<double> Duration = Meter.CreateHistogram<double>(
        "socketkit.connection.duration", "s", "How long connections were open, by close reason.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.1, 1, 10, 60, 300, 1800, 3600, 14400, 86400] });

    public static readonly Counter<long> Rejected = Meter.CreateCounter<long>(
        "socketkit.connection.rejected", "{connection}", "Connections (or new UDP peers) refused, by cause.");

    public static readonly Counter<long> HandshakeFailures = Meter.CreateCounter<long>(
        "socketkit.tls.handshake_failures", "{connection}", "TLS handshakes that failed or timed out.");

    public static readonly Counter<long> ProtocolErrors = Meter.CreateCounter<long>(
        "socketkit.connection.protocol_errors", "{error}", "Input that broke the protocol: fatal (the connection closed) or not (a frame or datagram dropped).");

    static SocketKitMeter()
    {
        // Observed, not counted up and down: a tool that attaches to a running server sees the true number at once.
        Meter.CreateObservableUpDownCounter("socketkit.connection.active", () => Collect(static (s, m) => s.Active(m)),
            "{connection}", "Connections open now (UDP: sessions).");
        Meter.CreateObservableCounter("socketkit.io.bytes", () => Collect(static (s, m) => s.Traffic(m, static t => (t.BytesIn, t.BytesOut))),
            "By", "Application bytes received and sent (framing included; plaintext under TLS), by network.io.direction.");
        Meter.CreateObservableCounter("socketkit.io.messages", () => Collect(static (s, m) => s.Traffic(m, static t => (t.MessagesIn, t.MessagesOut))),
            "{message}", "Messages received (decoded) and sent, by network.io.direction.");
        Meter.CreateObservableCounter("socketkit.udp.datagrams_dropped", () => Collect(static (s, m) => s.Dropped(m)),
            "{datagram}", "Datagrams a UDP server dropped: its session's handler was a full receive buffer behind, or the server was stopping.");
        Meter.CreateObservableCounter("socketkit.udp.sessions_evicted", () => Collect(static (s, m) => s.Evicted(m)),
            "{session}", "UDP sessions closed to make room for a new peer.");
    }

    public static void Register(ServerMetrics server)
    {
        lock (Registered)
        {
            Registered.Add(server);
        }
    }

    public static void Unregister(ServerMetrics server)
    {
        lock (Registered)
        {
            Registered.Remove(server);
        }
    }

    private static List<Measurement<long>> Collect(Action<ServerMetrics, List<Measurement<long>>> measure)
    {
        var measurements = new List<Measurement<long>>();
        ServerMetrics[] servers;
        lock (Registered)
        {
            servers = Registered.ToArray();
        }

        foreach (var server in servers)
        {
            measure(server, measurements);
        }

        return measurements;
    }
}
