using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using SocketKit.Connections;
using SocketKit.Internal;

namespace SocketKit.Diagnostics;

/// <summary>
/// One server's share of the SocketKit meter, tagged with its transport and endpoint (low cardinality: never a peer's
/// address). Records connection events as they happen; reports traffic as the totals of the connections that ended
/// plus what the open ones counted so far, read only when a listener collects.
/// </summary>
internal sealed class ServerMetrics : IDisposable
{
    private static readonly string[] CloseReasonNames = Enum.GetNames<CloseReason>().Select(SnakeCase).ToArray();
    private readonly KeyValuePair<string, object?>[] _tags;
    private readonly Func<TrafficCounts> _open;
    private readonly Func<int> _active;
    private readonly Func<long>? _dropped;
    private readonly Func<long>? _evicted;
    private TrafficCounts _ended;
    // Kept here, not on the connection: only traced connections pay for it.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<long, Activity> _activities = new();

    /// <param name="transport">The <c>network.transport</c> tag: tcp, udp, unix.</param>
    /// <param name="endPoint">The server's (first) endpoint: the <c>server.address</c> and <c>server.port</c> tags.</param>
    /// <param name="sync">The lock under which connections leave the server's open set.</param>
    /// <param name="open">Sums the traffic of the server's open connections; called under <paramref name="sync"/>.</param>
    /// <param name="active">The number of the server's open connections.</param>
    /// <param name="dropped">A UDP server's dropped datagrams.</param>
    /// <param name="evicted">A UDP server's evicted sessions.</param>
    public ServerMetrics(string transport, EndPoint endPoint, Lock sync, Func<TrafficCounts> open, Func<int> active, Func<long>? dropped = null, Func<long>? evicted = null)
    {
        Sync = sync;
        var (address, port) = endPoint is IPEndPoint ip ? (ip.Address.ToString(), (object?)ip.Port) : (endPoint.ToString(), null);
        _tags = port is null
            ? [new("network.transport", transport), new("server.address", address)]
            : [new("network.transport", transport), new("server.address", address), new("server.port", port)];
        _open = open;
        _active = active;
        _dropped = dropped;
        _evicted = evicted;
        SocketKitMeter.Register(this);
    }

    /// <summary>Held while a connection leaves the open set and its traffic joins the ended totals, so no collection counts it twice or not at all.</summary>
    public Lock Sync { get; }

    /// <summary>Starts a connection's activity (if anyone listens): a root, whatever the caller's current activity is.</summary>
    public Activity? StartActivity(long id, FiveTuple tuple)
    {
        if (!SocketKitMeter.Activities.HasListeners())
        {
            return null;
        }

        var parent = Activity.Current;
        Activity.Current = null; // a connection is not part of whatever started the server
        try
        {
            var activity = SocketKitMeter.Activities.StartActivity("socketkit.connection", ActivityKind.Server, default(ActivityContext), _tags);
            activity?.SetTag("socketkit.connection.id", id);
            activity?.SetTag("network.peer.address", tuple.RemotePath ?? tuple.RemoteAddress.ToString());
            activity?.SetTag("network.peer.port", tuple.RemotePath is null ? tuple.RemotePort : null);
            if (activity is not null)
            {
                _activities[id] = activity;
            }

            return activity;
        }
        finally
        {
            Activity.Current = parent;
        }
    }

    public void Opened() => SocketKitMeter.Opened.Add(1, _tags);

    /// <summary>Under <see cref="Sync"/>: a connection left the open set; its traffic joins the totals.</summary>
    public void Ended(TrafficCounts traffic) => _ended += traffic;

    /// <summary>A connection finished (after <c>OnDisconnectedAsync</c>): counts it, records its duration, ends its activity.</summary>
    public void Closed(long id, CloseInfo info, TimeSpan duration)
    {
        var reason = CloseReasonNames[(int)info.Reason];
        var tags = new TagList(_tags) { { "socketkit.close_reason", reason } };
        if (info.Reason == CloseReason.ProtocolError)
        {
            ProtocolError();
        }

        SocketKitMeter.Duration.Record(duration.TotalSeconds, tags);
        SocketKitMeter.Closed.Add(1, tags); // last: whoever waits for it sees the rest recorded

        if (_activities.TryRemove(id, out var activity))
        {
            activity.SetTag("socketkit.close_reason", reason);
            if (!info.IsGraceful || info.Exception is not null)
            {
                activity.SetStatus(ActivityStatusCode.Error, info.Exception?.Message ?? reason);
            }

            activity.Stop();
        }
    }

    /// <summary>A connection (or a new UDP peer) was refused; <paramref name="cause"/> is a fixed snake_case word.</summary>
    public void Rejected(string cause) => SocketKitMeter.Rejected.Add(1, new TagList(_tags) { { "socketkit.rejection", cause } });

    public void HandshakeFailed() => SocketKitMeter.HandshakeFailures.Add(1, _tags);

    public void ProtocolError() => SocketKitMeter.ProtocolErrors.Add(1, _tags);

    /// <summary>Adds this server's received and sent totals of one traffic measure (bytes or messages).</summary>
    public void Traffic(List<Measurement<long>> measurements, Func<TrafficCounts, (long In, long Out)> measure)
    {
        TrafficCounts total;
        lock (Sync)
        {
            total = _ended + _open();
        }

        var (received, sent) = measure(total);
        measurements.Add(new(received, new TagList(_tags) { { "network.io.direction", "receive" } }));
        measurements.Add(new(sent, new TagList(_tags) { { "network.io.direction", "transmit" } }));
    }

    public void Active(List<Measurement<long>> measurements) => measurements.Add(new(_active(), _tags));

    public void Dropped(List<Measurement<long>> measurements)
    {
        if (_dropped is not null)
        {
            measurements.Add(new(_dropped(), _tags));
        }
    }

    public void Evicted(List<Measurement<long>> measurements)
    {
        if (_evicted is not null)
        {
            measurements.Add(new(_evicted(), _tags));
        }
    }

    public void Dispose() => SocketKitMeter.Unregister(this);

    private static string SnakeCase(string name) =>
        string.Concat(name.Select((c, i) => char.IsUpper(c) ? (i > 0 ? "_" : "") + char.ToLowerInvariant(c) : c.ToString()));
}
