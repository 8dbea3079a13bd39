namespace SocketKit.Diagnostics;

/// <summary>
/// The names to subscribe to SocketKit's telemetry: the <see cref="System.Diagnostics.Metrics.Meter"/> (for
/// <c>dotnet-counters monitor --counters SocketKit</c> or OpenTelemetry's <c>AddMeter</c>) and the
/// <see cref="System.Diagnostics.ActivitySource"/> of connection lifetimes (OpenTelemetry's <c>AddSource</c>).
/// Both cost nothing until something listens. See docs/diagnostics.md for every instrument and tag.
/// </summary>
public static class SocketKitDiagnostics
{
    /// <summary>The name of SocketKit's meter: <c>SocketKit</c>.</summary>
    public const string MeterName = "SocketKit";

    /// <summary>The name of SocketKit's activity source, whose activities span server connections' lifetimes: <c>SocketKit</c>.</summary>
    public const string ActivitySourceName = "SocketKit";
}
