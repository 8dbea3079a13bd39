using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using SocketKit.Codecs;
using SocketKit.IntegrationTests.Infrastructure;
using SocketKit.Udp;

namespace SocketKit.IntegrationTests;

[Collection(nameof(LoopbackTests))]
public sealed class UdpEndpointTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Unicast_IPv4_round_trip_carries_the_five_tuple()
    {
        var recorder = new DatagramRecorder<string, string> { OnDatagram = (e, d, ct) => e.SendToAsync(d.RemoteEndPoint, d.Message.ToUpperInvariant(), ct) };
        await using var server = await UdpTest.StartTextAsync(new UdpEndpointOptions(), recorder);
        await using var client = await UdpTest.StartTextAsync(new UdpEndpointOptions());
        var replies = client.ReceiveAllAsync(Ct).GetAsyncEnumerator(Ct);

        await client.SendToAsync(server.LocalEndPoint, "hello", Ct);

        var seen = await recorder.NextAsync();
        Assert.Equal("hello", seen.Message);
        Assert.Equal(new FiveTuple(TransportProtocol.Udp, server.LocalEndPoint, client.LocalEndPoint), seen.Tuple);
        Assert.True(await AsyncAssert.Within(replies.MoveNextAsync(), "the reply"));
        Assert.Equal("HELLO", replies.Current.Message);
        Assert.Equal(new FiveTuple(TransportProtocol.Udp, client.LocalEndPoint, server.LocalEndPoint), replies.Current.Tuple);
        Assert.Equal("udp 127.0.0.1:" + client.LocalEndPoint.Port + " <-> 127.0.0.1:" + server.LocalEndPoint.Port, replies.Current.Tuple.ToString());
        Assert.Empty(recorder.Violations);
        await replies.DisposeAsync();
    }

    [Fact]
    public async Task Unicast_IPv6_round_trip()
    {
        Assert.SkipUnless(Loopback.HasIPv6, "This machine has no IPv6 loopback.");
        var recorder = new DatagramRecorder<string, string> { OnDatagram = (e, d, ct) => e.SendToAsync(d.RemoteEndPoint, d.Message, ct) };
        await using var server = await UdpTest.StartTextAsync(new UdpEndpointOptions { LocalEndPoint = new IPEndPoint(IPAddress.IPv6Loopback, 0) }, recorder);
        await using var client = await UdpTest.StartTextAsync(new UdpEndpointOptions { LocalEndPoint = new IPEndPoint(IPAddress.IPv6Loopback, 0) });
        var replies = client.ReceiveAllAsync(Ct).GetAsyncEnumerator(Ct);

        await client.SendToAsync(server.LocalEndPoint, "over v6", Ct);

        Assert.Equal(IPAddress.IPv6Loopback, (await recorder.NextAsync()).Tuple.RemoteAddress);
        Assert.True(await AsyncAssert.Within(replies.MoveNextAsync(), "the reply"));
        Assert.Equal("over v6", replies.Current.Message);
        Assert.Equal(IPAddress.IPv6Loopback, replies.Current.Tuple.RemoteAddress);
        await replies.DisposeAsync();
    }

    [Fact]
    public async Task Dual_mode_endpoint_serves_IPv4_peers_and_reports_them_as_IPv4()
    {
        Assert.SkipUnless(Loopback.HasIPv6, "This machine has no IPv6, so no dual-mode socket.");
        var recorder = new DatagramRecorder<string, string> { OnDatagram = (e, d, ct) => e.SendToAsync(d.RemoteEndPoint, d.Message, ct) };
        await using var server = await UdpTest.StartTextAsync(new UdpEndpointOptions { LocalEndPoint = new IPEndPoint(IPAddress.IPv6Any, 0) }, recorder);
        await using var client = await UdpTest.StartTextAsync(new UdpEndpointOptions());
        var replies = client.ReceiveAllAsync(Ct).GetAsyncEnumerator(Ct);

        await client.SendToAsync(new IPEndPoint(IPAddress.Loopback, server.LocalEndPoint.Port), "mapped", Ct);

        var seen = await recorder.NextAsync();
        Assert.Equal(IPAddress.Loopback, seen.Tuple.RemoteAddress); // normalised from ::ffff:127.0.0.1
        Assert.True(await AsyncAssert.Within(replies.MoveNextAsync(), "the reply through the dual-mode socket"));
        Assert.Equal("mapped", replies.Current.Message);
        await replies.DisposeAsync();
    }

    [Fact]
    public async Task Dual_mode_endpoint_sends_to_a_plain_IPv4_endpoint()
    {
        Assert.SkipUnless(Loopback.HasIPv6, "This machine has no IPv6, so no dual-mode socket.");
        await using var sender = await UdpTest.StartTextAsync(new UdpEndpointOptions { LocalEndPoint = new IPEndPoint(IPAddress.IPv6Any, 0) });
        var recorder = new DatagramRecorder<string, string>();
        await using var receiver = await UdpTest.StartTextAsync(new UdpEndpointOptions(), recorder);

        await sender.SendToAsync(receiver.LocalEndPoint, "to v4", Ct);

        Assert.Equal("to v4", (await recorder.NextAsync()).Message);
    }

    [Fact]
    public async Task Connected_endpoint_sends_with_SendAsync_and_hears_only_its_peer()
    {
        var recorder = new DatagramRecorder<string, string> { OnDatagram = (e, d, ct) => e.SendToAsync(d.RemoteEndPoint, "re:" + d.Message, ct) };
        await using var server = await UdpTest.StartTextAsync(new UdpEndpointOptions(), recorder);
        await using var client = await UdpTest.StartTextAsync(new UdpEndpointOptions { RemoteEndPoint = server.LocalEndPoint });
        await using var stranger = await UdpTest.StartTextAsync(new UdpEndpointOptions());
        var replies = client.ReceiveAllAsync(Ct).GetAsyncEnumerator(Ct);

        await stranger.SendToAsync(client.LocalEndPoint, "from a stranger", Ct); // the kernel filters it out
        await client.SendAsync("one", Ct);

        Assert.True(await AsyncAssert.Within(replies.MoveNextAsync(), "the reply"));
        Assert.Equal("re:one", replies.Current.Message);
        Assert.Equal(server.LocalEndPoint, replies.Current.Tuple.RemoteEndPoint);
        await replies.DisposeAsync();
    }

    [Fact]
    public async Task SendAsync_on_an_unconnected_endpoint_says_to_use_SendToAsync()
    {
        await using var endpoint = await UdpTest.StartTextAsync(new UdpEndpointOptions());

        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () => await endpoint.SendAsync("x", Ct));
        Assert.Contains("SendToAsync", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ten_thousand_datagrams_come_back_with_at_most_32_unacknowledged()
    {
        const int total = 10_000;
        const int window = 32;
        await using var server = await UdpTest.StartAsync(new UdpEndpointOptions(), BytesCodec.Instance, BytesCodec.Instance, new BytesEcho());
        await using var client = await UdpTest.StartAsync<ReadOnlySequence<byte>, ReadOnlySequence<byte>>(new UdpEndpointOptions(), BytesCodec.Instance, BytesCodec.Instance);
        var seen = new HashSet<int>();
        var unacknowledged = new ConcurrentDictionary<int, byte>();
        var credits = new SemaphoreSlim(window); // released once per sequence number acknowledged
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var receiving = Task.Run(async () =>
        {
            await foreach (var datagram in client.ReceiveAllAsync(Ct))
            {
                var sequence = BinaryPrimitives.ReadInt32BigEndian(datagram.Message.FirstSpan);
                if (seen.Add(sequence))
                {
                    unacknowledged.TryRemove(sequence, out _);
                    credits.Release();
                }

                if (seen.Count == total)
                {
                    done.TrySetResult();
                    return;
                }
            }
        }, Ct);

        var sending = Task.Run(async () =>
        {
            var payload = new byte[16];
            for (var sequence = 0; sequence < total; sequence++)
            {
                // UDP may lose a datagram: when the window stays full for a second, send the unacknowledged ones again.
                while (!await credits.WaitAsync(TimeSpan.FromSeconds(1), Ct))
                {
                    foreach (var lost in unacknowledged.Keys)
                    {
                        BinaryPrimitives.WriteInt32BigEndian(payload, lost);
                        await client.SendToAsync(server.LocalEndPoint, new ReadOnlySequence<byte>(payload), Ct);
                    }
                }

                unacknowledged[sequence] = 0;
                BinaryPrimitives.WriteInt32BigEndian(payload, sequence);
                await client.SendToAsync(server.LocalEndPoint, new ReadOnlySequence<byte>(payload), Ct);
            }
        }, Ct);

        await AsyncAssert.Within(done.Task, "10 000 distinct echoed sequence numbers", seconds: 30);
        await sending;
        await client.StopAsync(Ct);
        await receiving;
        Assert.Equal(total, seen.Count);
        Assert.Equal(Enumerable.Range(0, total), seen.Order());
    }

    [Fact]
    public async Task Malformed_datagram_is_dropped_and_reported_with_the_senders_tuple_and_the_endpoint_keeps_serving()
    {
        var recorder = new DatagramRecorder<string, string>();
        await using var server = await UdpTest.StartTextAsync(new UdpEndpointOptions(), recorder);
        using var raw = RawUdp();

        await raw.SendToAsync(new byte[] { 0xC3, 0x28 }, SocketFlags.None, server.LocalEndPoint, Ct); // invalid UTF-8
        var (tuple, error) = await recorder.NextErrorAsync("the malformed datagram's error");
        await raw.SendToAsync(UdpTest.Utf8("fine"), SocketFlags.None, server.LocalEndPoint, Ct);

        Assert.IsType<MalformedFrameException>(error);
        Assert.Equal(raw.LocalEndPoint, tuple.RemoteEndPoint);
        Assert.Equal(server.LocalEndPoint, tuple.LocalEndPoint);
        Assert.Equal("fine", (await recorder.NextAsync()).Message);
        Assert.Equal(1, server.DroppedDatagrams);
        Assert.Equal(1, server.ReceivedDatagrams);
    }

    [Fact]
    public async Task Datagram_over_the_maximum_is_reported_as_truncated_never_delivered_cut()
    {
        var recorder = new DatagramRecorder<string, string>();
        await using var server = await UdpTest.StartTextAsync(new UdpEndpointOptions { MaxDatagramSize = 100 }, recorder);
        using var raw = RawUdp();

        await raw.SendToAsync(new byte[101], SocketFlags.None, server.LocalEndPoint, Ct);
        var (tuple, error) = await recorder.NextErrorAsync("the truncation error");
        await raw.SendToAsync(UdpTest.Utf8(new string('a', 100)), SocketFlags.None, server.LocalEndPoint, Ct);

        Assert.Equal(100, Assert.IsType<DatagramTruncatedException>(error).MaxDatagramSize);
        Assert.Equal(raw.LocalEndPoint, tuple.RemoteEndPoint);
        Assert.Equal(100, (await recorder.NextAsync("the 100-byte datagram")).Message.Length);
    }

    [Fact]
    public async Task Sending_a_message_over_the_maximum_throws_and_sends_nothing()
    {
        await using var endpoint = await UdpTest.StartTextAsync(new UdpEndpointOptions { MaxDatagramSize = 10 });

        var error = await Assert.ThrowsAsync<ArgumentException>(async () => await endpoint.SendToAsync(endpoint.LocalEndPoint, new string('x', 11), Ct));
        Assert.Contains("10-byte maximum", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Handler_that_throws_does_not_stop_the_endpoint()
    {
        var calls = 0;
        var recorder = new DatagramRecorder<string, string>
        {
            OnDatagram = (_, _, _) => Interlocked.Increment(ref calls) == 1 ? throw new InvalidOperationException("boom") : ValueTask.CompletedTask,
        };
        await using var server = await UdpTest.StartTextAsync(new UdpEndpointOptions(), recorder);
        await using var client = await UdpTest.StartTextAsync(new UdpEndpointOptions());

        await client.SendToAsync(server.LocalEndPoint, "first", Ct);
        await client.SendToAsync(server.LocalEndPoint, "second", Ct);

        Assert.Equal("second", (await recorder.NextAsync()).Message);
        Assert.Equal(2, Volatile.Read(ref calls));
    }

    [Fact]
    public async Task Icmp_port_unreachable_is_non_fatal_and_the_connected_endpoint_keeps_delivering()
    {
        // A port that was just bound and closed: nothing listens there now.
        var port = ClosedUdpPort();
        var recorder = new DatagramRecorder<string, string>();
        await using var client = await UdpTest.StartTextAsync(new UdpEndpointOptions { RemoteEndPoint = new IPEndPoint(IPAddress.Loopback, port) }, recorder);

        // Linux rate-limits ICMP errors, so send once a second until the refusal is reported (at most 10 s).
        (FiveTuple Tuple, Exception Error)? refused = null;
        for (var attempt = 0; attempt < 10 && refused is null; attempt++)
        {
            await client.SendAsync("anyone?", Ct);
            refused = await recorder.ErrorWithinAsync(seconds: 1);
        }

        Assert.True(refused.HasValue, "No ICMP error was reported within 10 s.");
        Assert.Equal(SocketError.ConnectionRefused, Assert.IsType<SocketException>(refused.Value.Error).SocketErrorCode);
        Assert.Equal(port, refused.Value.Tuple.RemotePort);

        // Now something listens there, and the same endpoint still sends and receives.
        var echo = new DatagramRecorder<string, string> { OnDatagram = (e, d, ct) => e.SendToAsync(d.RemoteEndPoint, "back:" + d.Message, ct) };
        await using var receiver = await UdpTest.StartTextAsync(new UdpEndpointOptions { LocalEndPoint = new IPEndPoint(IPAddress.Loopback, port) }, echo);
        await client.SendAsync("now?", Ct);

        Assert.Equal("now?", (await echo.NextAsync("the datagram at the re-bound port")).Message);
        Assert.Equal("back:now?", (await recorder.NextAsync("the reply on the connected endpoint")).Message);
    }

    [Fact]
    public async Task Concurrent_senders_on_one_endpoint_are_all_delivered_whole()
    {
        const int senders = 8;
        const int each = 250;
        var received = new ConcurrentDictionary<string, int>();
        var credits = new SemaphoreSlim(32); // released once per distinct datagram received
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var recorder = new DatagramRecorder<string, string>
        {
            OnDatagram = (_, d, _) =>
            {
                if (received.TryAdd(d.Message, 0))
                {
                    credits.Release();
                }

                if (received.Count == senders * each)
                {
                    all.TrySetResult();
                }

                return ValueTask.CompletedTask;
            },
        };
        await using var receiver = await UdpTest.StartTextAsync(new UdpEndpointOptions(), recorder);
        await using var sender = await UdpTest.StartTextAsync(new UdpEndpointOptions());

        var tasks = Enumerable.Range(0, senders).Select(s => Task.Run(async () =>
        {
            for (var i = 0; i < each; i++)
            {
                await credits.WaitAsync(Ct);
                await sender.SendToAsync(receiver.LocalEndPoint, FormattableString.Invariant($"{s}:{i}:{new string('p', 40 + i % 50)}"), Ct);
            }
        }, Ct)).ToArray();

        await AsyncAssert.Within(all.Task, "every datagram from 8 concurrent senders", seconds: 30);
        await Task.WhenAll(tasks);
        Assert.Equal(senders * each, received.Count);
        Assert.All(received.Keys, key => Assert.Equal(40 + int.Parse(key.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture) % 50, key.Split(':')[2].Length));
        Assert.Empty(recorder.Violations);
    }

    [Fact]
    public async Task Broadcast_needs_the_option_and_then_reaches_a_wildcard_receiver()
    {
        var recorder = new DatagramRecorder<string, string>();
        await using var receiver = await UdpTest.StartTextAsync(new UdpEndpointOptions { LocalEndPoint = new IPEndPoint(IPAddress.Any, 0) }, recorder);
        var broadcast = new IPEndPoint(IPAddress.Parse("127.255.255.255"), receiver.LocalEndPoint.Port);
        await using var plain = await UdpTest.StartTextAsync(new UdpEndpointOptions());
        await using var caster = await UdpTest.StartTextAsync(new UdpEndpointOptions { EnableBroadcast = true });

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(async () => await plain.SendToAsync(broadcast, "no", Ct));
        await caster.SendToAsync(broadcast, "to all", Ct);

        Assert.Contains(nameof(UdpEndpointOptions.EnableBroadcast), refused.Message, StringComparison.Ordinal);
        Assert.Equal("to all", (await recorder.NextAsync("the broadcast")).Message);
    }

    [Fact]
    public async Task IPv4_multicast_through_loopback_reaches_a_member_until_it_leaves()
    {
        var recorder = new DatagramRecorder<string, string>();
        await using var member = await UdpTest.StartTextAsync(new UdpEndpointOptions { LocalEndPoint = new IPEndPoint(IPAddress.Any, 0) }, recorder);
        member.JoinMulticastGroup(Loopback.MulticastGroup4, IPAddress.Loopback);
        await using var sender = await UdpTest.StartTextAsync(new UdpEndpointOptions
        {
            MulticastInterface = IPAddress.Loopback,
            MulticastLoopback = true,
            MulticastTimeToLive = 1,
        });
        var group = new IPEndPoint(Loopback.MulticastGroup4, member.LocalEndPoint.Port);

        await sender.SendToAsync(group, "to the group", Ct);
        var seen = await recorder.NextAsync("the multicast datagram");
        member.LeaveMulticastGroup(Loopback.MulticastGroup4, IPAddress.Loopback);
        member.JoinMulticastGroup(Loopback.MulticastGroup4, IPAddress.Loopback); // leave really left: joining again is allowed
        await sender.SendToAsync(group, "again", Ct);

        Assert.Equal("to the group", seen.Message);
        Assert.Equal(sender.LocalEndPoint.Port, seen.Tuple.RemotePort);
        Assert.Equal("again", (await recorder.NextAsync("the datagram after re-joining")).Message);
    }

    [Fact]
    public async Task IPv6_multicast_through_loopback()
    {
        Assert.SkipUnless(Loopback.HasIPv6MulticastOnLoopback, "The lo interface has no IPv6 multicast route on this machine; the IPv6 option plumbing is unit-tested instead.");
        var group = IPAddress.Parse("ff12::5eed");
        var recorder = new DatagramRecorder<string, string>();
        await using var member = await UdpTest.StartTextAsync(new UdpEndpointOptions { LocalEndPoint = new IPEndPoint(IPAddress.IPv6Any, 0) }, recorder);
        member.JoinMulticastGroup(group, Loopback.LoopbackInterfaceIndex);
        await using var sender = await UdpTest.StartTextAsync(new UdpEndpointOptions
        {
            LocalEndPoint = new IPEndPoint(IPAddress.IPv6Any, 0),
            MulticastInterfaceIndex = Loopback.LoopbackInterfaceIndex,
        });

        await sender.SendToAsync(new IPEndPoint(group, member.LocalEndPoint.Port), "v6 group", Ct);

        Assert.Equal("v6 group", (await recorder.NextAsync("the IPv6 multicast datagram")).Message);
    }

    [Fact]
    public async Task Stop_ends_pull_mode_and_later_sends_fail_clearly()
    {
        var endpoint = await UdpTest.StartTextAsync(new UdpEndpointOptions());
        var reading = Task.Run(async () =>
        {
            var count = 0;
            await foreach (var _ in endpoint.ReceiveAllAsync(Ct))
            {
                count++;
            }

            return count;
        }, Ct);

        await endpoint.StopAsync(Ct);

        Assert.Equal(0, await AsyncAssert.Within(reading, "the enumeration to end at stop"));
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await endpoint.SendToAsync(new IPEndPoint(IPAddress.Loopback, 9), "late", Ct));
        await endpoint.DisposeAsync(); // idempotent after StopAsync
    }

    [Fact]
    public async Task One_receive_mode_per_endpoint()
    {
        await using var pushed = await UdpTest.StartTextAsync(new UdpEndpointOptions(), new DatagramRecorder<string, string>());
        await using var pulled = await UdpTest.StartTextAsync(new UdpEndpointOptions());
        var first = pulled.ReceiveAllAsync(Ct).GetAsyncEnumerator(Ct);
        var pending = first.MoveNextAsync().AsTask();

        await Assert.ThrowsAsync<InvalidOperationException>(async () => await pushed.ReceiveAllAsync(Ct).GetAsyncEnumerator(Ct).MoveNextAsync());
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await pulled.ReceiveAllAsync(Ct).GetAsyncEnumerator(Ct).MoveNextAsync());
        await pulled.StopAsync(Ct);
        Assert.False(await AsyncAssert.Within(pending, "the first enumeration to end at stop"));
        await first.DisposeAsync();
    }

    [Fact]
    public async Task The_test_guard_refuses_destinations_off_loopback()
    {
        await using var endpoint = await UdpTest.StartTextAsync(new UdpEndpointOptions());

        await Assert.ThrowsAsync<InvalidOperationException>(async () => await endpoint.SendToAsync(new IPEndPoint(IPAddress.Parse("192.0.2.1"), 9), "never", Ct));
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await endpoint.SendToAsync(new IPEndPoint(Loopback.MulticastGroup4, 9), "no loopback interface set", Ct));
    }

    private static Socket RawUdp()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return socket;
    }

    private static int ClosedUdpPort()
    {
        using var probe = RawUdp();
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    private sealed class BytesEcho : DatagramHandler<ReadOnlySequence<byte>, ReadOnlySequence<byte>>
    {
        public override ValueTask OnDatagramAsync(UdpEndpoint<ReadOnlySequence<byte>, ReadOnlySequence<byte>> endpoint, Datagram<ReadOnlySequence<byte>> datagram, CancellationToken stopping) =>
            endpoint.SendToAsync(datagram.RemoteEndPoint, datagram.Message, stopping);
    }
}
