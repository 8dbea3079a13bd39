using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Chat;

/// <summary>
/// Chat across server processes through Redis (StackExchange.Redis): room lines and private messages travel over pub/sub;
/// who has which nickname, and who is in which room, is kept in Redis keys that expire unless their server refreshes them,
/// so a server that dies frees its nicknames within <see cref="PresenceTtl"/>.
/// </summary>
/// <remarks>
/// <para>Each server still serves its own clients itself, so when Redis goes away it keeps chatting locally, logs it, tells
/// its clients, and reconnects in the background; back online it claims its members' nicknames again (one taken
/// elsewhere meanwhile goes to the other server's member, and ours is asked to pick another) and tells its clients.</para>
/// <para>Keys, all under <c>socketkit-chat:</c>: <c>nick:NAME</c> (the owning server's id, with a TTL),
/// <c>members:SERVER</c> (a hash of nickname to room, with a TTL), <c>servers</c> (a set of server ids). Channels:
/// <c>rooms</c> (every room's lines) and <c>to:SERVER</c> (private lines for that server's members).</para>
/// </remarks>
public sealed partial class RedisChatBackplane : IChatBackplane, IHostedService, IAsyncDisposable
{
    /// <summary>How long a server's nicknames and presence outlive its last refresh.</summary>
    public static readonly TimeSpan PresenceTtl = TimeSpan.FromSeconds(30);

    /// <summary>How long a start waits for Redis before serving alone (it joins the others later, once Redis answers).</summary>
    public static readonly TimeSpan StartWait = TimeSpan.FromSeconds(5);

    /// <summary>How often a server refreshes its presence (well within <see cref="PresenceTtl"/>).</summary>
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(10);

    public const string CutOffNotice = "* cut off from the other chat servers: only people on this server hear you now";
    public const string ReconnectedNotice = "* reconnected to the other chat servers";

    private const string Prefix = "socketkit-chat:";

    // Takes (or keeps) a nickname unless another server holds it, and records the member's room.
    // KEYS: nick:NAME, members:SERVER, servers. ARGV: server id, TTL in ms, nickname, "ROOM ADDRESS".
    private const string ClaimScript = """
        local owner = redis.call('GET', KEYS[1])
        if owner and owner ~= ARGV[1] then return 0 end
        redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
        redis.call('HSET', KEYS[2], ARGV[3], ARGV[4])
        redis.call('PEXPIRE', KEYS[2], ARGV[2])
        redis.call('SADD', KEYS[3], ARGV[1])
        return 1
        """;

    // Frees a nickname if this server still holds it. KEYS: nick:NAME, members:SERVER. ARGV: server id, nickname.
    private const string ReleaseScript = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
        redis.call('HDEL', KEYS[2], ARGV[2])
        return 1
        """;

    private readonly ChatHub _hub;
    private readonly string _configuration;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly string _server = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}";
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _pings = new();
    private readonly CancellationTokenSource _stopping = new();
    private ConnectionMultiplexer? _redis;
    private Task _refreshing = Task.CompletedTask;
    private bool _subscribed; // only the resync (one at a time) sets it
    private int _online;
    private readonly Lock _resyncLock = new();
    private Task _resync = Task.CompletedTask;
    private int _disposed;

    /// <param name="hub">This server's chat, which the backplane joins to the others.</param>
    /// <param name="configuration">Where Redis is: <c>HOST:PORT</c>, or any StackExchange.Redis configuration string.</param>
    /// <param name="logger">Where connectivity changes are reported.</param>
    /// <param name="time">The clock of the refresh timer.</param>
    public RedisChatBackplane(ChatHub hub, string configuration, ILogger<RedisChatBackplane> logger, TimeProvider? time = null)
    {
        _hub = hub;
        _configuration = configuration;
        _logger = logger;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Whether the other servers are reachable now.</summary>
    public bool IsOnline => Volatile.Read(ref _online) == 1;

    private IDatabase Db => _redis!.GetDatabase();

    private static RedisKey NickKey(string nick) => $"{Prefix}nick:{nick.ToLowerInvariant()}";

    private static RedisKey MembersKey(string server) => $"{Prefix}members:{server}";

    private static readonly RedisKey ServersKey = $"{Prefix}servers";

    private static readonly RedisChannel RoomsChannel = RedisChannel.Literal($"{Prefix}rooms");

    private static RedisChannel ServerChannel(string server) => RedisChannel.Literal($"{Prefix}to:{server}");

    /// <summary>
    /// Connects and joins the hub to the other servers. Returns even if Redis cannot be reached: the server then serves
    /// its own clients, and joins the others once Redis answers.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var options = ConfigurationOptions.Parse(_configuration);
        options.AbortOnConnectFail = false;                   // start (and serve locally) without Redis; connect when it comes
        options.BacklogPolicy = BacklogPolicy.FailFast;       // while cut off, fail at once instead of queueing chat traffic
        options.ReconnectRetryPolicy = new LinearRetry(1000);
        options.ConnectTimeout = 2000;
        options.AsyncTimeout = 2000;
        options.ClientName = "socketkit-chat";
        _redis = await ConnectionMultiplexer.ConnectAsync(options);
        _redis.ConnectionFailed += (_, e) => OnCutOff(e.Exception);
        _redis.ConnectionRestored += (_, _) => _ = ResyncAsync();

        _hub.Backplane = this;
        _refreshing = RefreshLoopAsync(_stopping.Token);
        // Give Redis a moment to answer, so a healthy start is already joined; otherwise carry on alone and join later.
        try
        {
            await ResyncAsync().WaitAsync(StartWait, _time, cancellationToken);
        }
        catch (TimeoutException)
        {
            Log.Unreachable(_logger, _configuration);
        }
    }

    /// <summary>Leaves the other servers: stops refreshing and frees this server's nicknames at once (they would expire anyway).</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_redis is null || _stopping.IsCancellationRequested)
        {
            return;
        }

        _hub.Backplane = null;
        await _stopping.CancelAsync();
        await _refreshing;
        foreach (var member in _hub.LocalMembers())
        {
            await ReleaseAsync(member.Nick, cancellationToken);
        }

        await TryAsync(() => Db.SetRemoveAsync(ServersKey, _server)); // its members' hash went with the last of them
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await StopAsync(CancellationToken.None);
        if (_redis is not null)
        {
            await _redis.CloseAsync();
            _redis.Dispose();
        }

        _stopping.Dispose();
    }

    public async Task<NickClaim> ClaimAsync(ChatPresence member, CancellationToken cancellationToken) =>
        await TryAsync(async () => (int)await Db.ScriptEvaluateAsync(ClaimScript,
            [NickKey(member.Nick), MembersKey(_server), ServersKey], [_server, (long)PresenceTtl.TotalMilliseconds, member.Nick, Where(member)])) switch
        {
            (true, 1) => NickClaim.Claimed,
            (true, _) => NickClaim.Taken,
            _ => NickClaim.Unreachable, // allowed here for now; claimed again (and settled) once the others answer
        };

    public Task ReleaseAsync(string nick, CancellationToken cancellationToken) =>
        TryAsync(() => Db.ScriptEvaluateAsync(ReleaseScript, [NickKey(nick), MembersKey(_server)], [_server, nick]));

    public Task MovedAsync(ChatPresence member, CancellationToken cancellationToken) =>
        TryAsync(() => Db.HashSetAsync(MembersKey(_server), member.Nick, Where(member)));

    // A member's hash entry: its room and address (a room name has no space).
    private static string Where(ChatPresence member) => $"{member.Room} {member.Address}";

    public Task PublishAsync(string room, string line, CancellationToken cancellationToken) =>
        TryAsync(() => _redis!.GetSubscriber().PublishAsync(RoomsChannel, Serialize(new RelayedLine(_server, room, null, line))));

    public async Task<bool?> SendPrivateAsync(string nick, string line, CancellationToken cancellationToken)
    {
        var (reached, owner) = await TryAsync(async () => (string?)await Db.StringGetAsync(NickKey(nick)));
        if (!reached)
        {
            return null;
        }

        if (owner is null || owner == _server)
        {
            return false; // nobody has it (ours would have been found locally: it just left)
        }

        var (sent, _) = await TryAsync(() => _redis!.GetSubscriber().PublishAsync(ServerChannel(owner), Serialize(new RelayedLine(_server, null, nick, line))));
        return sent ? true : null;
    }

    public async Task<IReadOnlyList<ChatPresence>?> RemoteMembersAsync(CancellationToken cancellationToken)
    {
        var (reached, members) = await TryAsync(async () =>
        {
            var found = new List<ChatPresence>();
            foreach (var server in await Db.SetMembersAsync(ServersKey))
            {
                if (server == _server)
                {
                    continue;
                }

                var entries = await Db.HashGetAllAsync(MembersKey(server!));
                if (entries.Length == 0)
                {
                    await Db.SetRemoveAsync(ServersKey, server); // it stopped, or died and its presence expired
                }

                foreach (var entry in entries)
                {
                    var where = ((string)entry.Value!).Split(' ', 2);
                    found.Add(new ChatPresence((string)entry.Name!, where[0], where.Length > 1 ? where[1] : "", server!));
                }
            }

            return found;
        });
        return reached ? members : null;
    }

    /// <summary>
    /// Claims every local member's nickname again and refreshes the TTLs; a nickname now held elsewhere is given up here.
    /// Returns false if Redis could not be asked for every one.
    /// </summary>
    private async Task<bool> RefreshAsync()
    {
        var complete = true;
        foreach (var presence in _hub.LocalMembers())
        {
            var (nick, room) = (presence.Nick, presence.Room);
            switch (await ClaimAsync(presence, CancellationToken.None))
            {
                case NickClaim.Unreachable:
                    complete = false;
                    break;
                case NickClaim.Taken when _hub.Find(nick) is { } member && _hub.Forget(member) is not null:
                    Log.NickLost(_logger, nick);
                    await _hub.DeliverAsync(room, $"* {nick} left {room} (nickname taken on another server)", CancellationToken.None);
                    try
                    {
                        await member.SendAsync($"ERR while this server was cut off, {nick} was taken on another server: pick a nickname again with /nick NAME", CancellationToken.None);
                    }
                    catch (SocketKit.Connections.ConnectionClosedException)
                    {
                        // Gone meanwhile.
                    }

                    break;
            }
        }

        return complete;
    }

    private async Task RefreshLoopAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(RefreshInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping))
            {
                if (IsOnline)
                {
                    await RefreshAsync();
                }
                else
                {
                    await ResyncAsync(); // joins once Redis answers, if no Restored event did (a start without Redis)
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    /// <summary>Back in touch (or starting): one resync at a time; a caller while one runs waits for that one.</summary>
    private Task ResyncAsync()
    {
        lock (_resyncLock)
        {
            return _resync = _resync.IsCompleted ? RunResyncAsync() : _resync;
        }
    }

    /// <summary>Once a ping to ourselves comes back through the subscription, claim our nicknames again and say so.</summary>
    private async Task RunResyncAsync()
    {
        try
        {
            // Both ways must work before the others are told we are back: messages reach us, and our claims reach Redis.
            while (!_stopping.IsCancellationRequested && !(await SubscribeAsync() && await PingAsync() && await RefreshAsync()))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250), _time, _stopping.Token);
            }

            if (Interlocked.Exchange(ref _online, 1) == 0)
            {
                Log.Online(_logger, _configuration, _server);
                await _hub.AnnounceAsync(ReconnectedNotice, CancellationToken.None);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    /// <summary>
    /// Subscribes to the rooms' channel and ours, once: StackExchange.Redis subscribes again by itself after a reconnect.
    /// A first attempt can fail while the subscription connection is still coming up (or Redis is away); the resync retries.
    /// </summary>
    private async Task<bool> SubscribeAsync()
    {
        if (!_subscribed)
        {
            var subscriber = _redis!.GetSubscriber();
            _subscribed = await TryAsync(async () =>
            {
                (await subscriber.SubscribeAsync(RoomsChannel)).OnMessage(OnRoomLineAsync); // each queue keeps its order
                (await subscriber.SubscribeAsync(ServerChannel(_server))).OnMessage(OnPrivateLineAsync);
            });
        }

        return _subscribed;
    }

    /// <summary>Publishes to our own channel and waits for it to come back: the one proof that messages reach us again.</summary>
    private async Task<bool> PingAsync()
    {
        var token = Guid.NewGuid().ToString("N");
        var echoed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _pings[token] = echoed;
        try
        {
            var (sent, _) = await TryAsync(() => _redis!.GetSubscriber().PublishAsync(ServerChannel(_server), Serialize(new RelayedLine(_server, null, null, token))));
            return sent && await echoed.Task.WaitAsync(TimeSpan.FromSeconds(1), _time, _stopping.Token).ContinueWith(t => t.IsCompletedSuccessfully, TaskScheduler.Default);
        }
        finally
        {
            _pings.TryRemove(token, out _);
        }
    }

    private void OnCutOff(Exception? error)
    {
        if (Interlocked.Exchange(ref _online, 0) == 1 && !_stopping.IsCancellationRequested)
        {
            Log.CutOff(_logger, _configuration, error);
            _ = _hub.AnnounceAsync(CutOffNotice, CancellationToken.None);
        }
    }

    private async Task OnRoomLineAsync(ChannelMessage message)
    {
        if (Deserialize(message.Message) is { Room: { } room } line && line.Origin != _server)
        {
            await _hub.DeliverAsync(room, line.Line, CancellationToken.None); // ours were delivered here already
        }
    }

    private async Task OnPrivateLineAsync(ChannelMessage message)
    {
        switch (Deserialize(message.Message))
        {
            case { Nick: null } ping when ping.Origin == _server:
                if (_pings.TryGetValue(ping.Line, out var echoed))
                {
                    echoed.TrySetResult();
                }

                break;
            case { Nick: { } nick } line when _hub.Find(nick) is { } member:
                try
                {
                    await member.SendAsync(line.Line, CancellationToken.None);
                }
                catch (SocketKit.Connections.ConnectionClosedException)
                {
                    // Left as the line arrived: a private line to another server is delivered at most once.
                }

                break;
        }
    }

    /// <summary>Runs a Redis call; false when Redis cannot be reached (the server carries on locally).</summary>
    private static async Task<(bool Reached, T? Result)> TryAsync<T>(Func<Task<T>> call)
    {
        try
        {
            return (true, await call());
        }
        catch (Exception e) when (e is RedisException or ObjectDisposedException)
        {
            return (false, default);
        }
    }

    /// <summary>Runs a Redis call; false when Redis cannot be reached.</summary>
    private static async Task<bool> TryAsync(Func<Task> call) => (await TryAsync(async () =>
    {
        await call();
        return true;
    })).Reached;

    private static RedisValue Serialize(RelayedLine line) => JsonSerializer.SerializeToUtf8Bytes(line, ChatJson.Default.RelayedLine);

    private static RelayedLine? Deserialize(RedisValue value)
    {
        try
        {
            return JsonSerializer.Deserialize((byte[])value!, ChatJson.Default.RelayedLine);
        }
        catch (JsonException)
        {
            return null; // not ours: someone else publishing on the channel
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Redis at {Redis} is unreachable: serving this server's clients only, and retrying")]
        public static partial void Unreachable(ILogger logger, string redis);

        [LoggerMessage(2, LogLevel.Warning, "Cut off from Redis at {Redis}: serving this server's clients only, and reconnecting")]
        public static partial void CutOff(ILogger logger, string redis, Exception? error);

        [LoggerMessage(3, LogLevel.Information, "Joined the other chat servers through Redis at {Redis} as {Server}")]
        public static partial void Online(ILogger logger, string redis, string server);

        [LoggerMessage(4, LogLevel.Warning, "The nickname {Nick} was taken on another server while this one was cut off; its member here must pick another")]
        public static partial void NickLost(ILogger logger, string nick);
    }
}
