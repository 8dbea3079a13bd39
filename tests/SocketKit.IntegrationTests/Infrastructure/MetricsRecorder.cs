using System.Diagnostics.Metrics;
using SocketKit.Diagnostics;

namespace SocketKit.IntegrationTests.Infrastructure;

/// <summary>
/// Listens to the SocketKit meter and keeps the measurements of one server (by its <c>server.port</c> tag: the meter is
/// process-wide and other tests' servers report to it too).
/// </summary>
public sealed class MetricsRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly List<Recorded> _recorded = new();
    private readonly List<(Func<Recorded, bool> Match, TaskCompletionSource Seen)> _waiters = new();
    private int _port;

    public MetricsRecorder()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == SocketKitDiagnostics.MeterName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>The port of the server whose measurements count; set once it is bound.</summary>
    public int Port
    {
        get => Volatile.Read(ref _port);
        set => Volatile.Write(ref _port, value);
    }

    /// <summary>Reads every observable instrument now (as a collection by a listener would).</summary>
    public void Collect() => _listener.RecordObservableInstruments();

    public IReadOnlyList<Recorded> Of(string instrument)
    {
        lock (_recorded)
        {
            return _recorded.Where(r => r.Instrument == instrument).ToArray();
        }
    }

    /// <summary>The sum of an event instrument's values, optionally only with a tag value.</summary>
    public double Sum(string instrument, string? tag = null, object? value = null) =>
        Of(instrument).Where(r => tag is null || Equals(r.Tags.GetValueOrDefault(tag), value)).Sum(r => r.Value);

    /// <summary>The last collected value of an observable instrument, optionally only with a tag value.</summary>
    public double Last(string instrument, string? tag = null, object? value = null) =>
        Of(instrument).Last(r => tag is null || Equals(r.Tags.GetValueOrDefault(tag), value)).Value;

    /// <summary>Completes when a measurement of <paramref name="instrument"/> (with the tag value, if given) has been recorded.</summary>
    public Task WaitForAsync(string instrument, string? tag = null, object? value = null)
    {
        bool Match(Recorded r) => r.Instrument == instrument && (tag is null || Equals(r.Tags.GetValueOrDefault(tag), value));
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_recorded)
        {
            if (_recorded.Any(Match))
            {
                return Task.CompletedTask;
            }

            _waiters.Add((Match, seen));
        }

        return AsyncAssert.Within(seen.Task, $"a measurement of {instrument}" + (tag is null ? "" : $" with {tag}={value}"));
    }

    public void Dispose() => _listener.Dispose();

    private void Record<T>(Instrument instrument, T value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        where T : struct
    {
        var dictionary = new Dictionary<string, object?>();
        foreach (var tag in tags)
        {
            dictionary[tag.Key] = tag.Value;
        }

        if (!Equals(dictionary.GetValueOrDefault("server.port"), Port))
        {
            return;
        }

        var recorded = new Recorded(instrument.Name, Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture), dictionary);
        lock (_recorded)
        {
            _recorded.Add(recorded);
            foreach (var waiter in _waiters.Where(w => w.Match(recorded)).ToArray())
            {
                waiter.Seen.TrySetResult();
                _waiters.Remove(waiter);
            }
        }
    }

    public sealed record Recorded(string Instrument, double Value, IReadOnlyDictionary<string, object?> Tags);
}
