using System.Net;

namespace SocketKit.Tests;

public class FiveTupleTests
{
    private static FiveTuple Tuple(string local, int localPort, string remote, int remotePort, TransportProtocol protocol = TransportProtocol.Tcp) =>
        new(protocol, new IPEndPoint(IPAddress.Parse(local), localPort), new IPEndPoint(IPAddress.Parse(remote), remotePort));

    [Fact]
    public void A_unix_domain_flow_carries_paths_and_compares_by_them()
    {
        var tuple = new FiveTuple("/run/app.sock", "");

        Assert.Equal(TransportProtocol.Unix, tuple.Protocol);
        Assert.Equal("/run/app.sock", tuple.LocalPath);
        Assert.Equal("", tuple.RemotePath);
        Assert.Equal(IPAddress.None, tuple.LocalAddress);
        Assert.Equal("unix /run/app.sock <-> (unnamed)", tuple.ToString());
        Assert.Equal(tuple, new FiveTuple("/run/app.sock", ""));
        Assert.Equal(tuple.GetHashCode(), new FiveTuple("/run/app.sock", "").GetHashCode());
        Assert.NotEqual(tuple, new FiveTuple("/run/other.sock", ""));
        Assert.Null(Tuple("127.0.0.1", 1, "127.0.0.1", 2).LocalPath);
    }

    [Fact]
    public void Formats_ipv4_readably()
    {
        Assert.Equal("tcp 127.0.0.1:5000 <-> 127.0.0.1:53122", Tuple("127.0.0.1", 5000, "127.0.0.1", 53122).ToString());
        Assert.Equal("udp 10.0.0.1:53 <-> 10.0.0.2:1000", Tuple("10.0.0.1", 53, "10.0.0.2", 1000, TransportProtocol.Udp).ToString());
    }

    [Fact]
    public void Formats_ipv6_in_brackets_with_its_scope()
    {
        Assert.Equal("tcp [::1]:5000 <-> [::1]:40000", Tuple("::1", 5000, "::1", 40000).ToString());
        Assert.Equal("tcp [fe80::1%2]:1 <-> [fe80::2%2]:2", Tuple("fe80::1%2", 1, "fe80::2%2", 2).ToString());
    }

    [Fact]
    public void Normalises_ipv4_mapped_addresses()
    {
        var mapped = Tuple("::ffff:127.0.0.1", 5000, "::ffff:127.0.0.2", 6000);
        var plain = Tuple("127.0.0.1", 5000, "127.0.0.2", 6000);
        Assert.Equal(plain, mapped);
        Assert.Equal(plain.GetHashCode(), mapped.GetHashCode());
        Assert.Equal("tcp 127.0.0.1:5000 <-> 127.0.0.2:6000", mapped.ToString());
    }

    [Fact]
    public void Equality_covers_every_element()
    {
        var a = Tuple("127.0.0.1", 1, "127.0.0.2", 2);
        Assert.True(a == Tuple("127.0.0.1", 1, "127.0.0.2", 2));
        Assert.NotEqual(a, Tuple("127.0.0.1", 1, "127.0.0.2", 2, TransportProtocol.Udp));
        Assert.NotEqual(a, Tuple("127.0.0.3", 1, "127.0.0.2", 2));
        Assert.NotEqual(a, Tuple("127.0.0.1", 9, "127.0.0.2", 2));
        Assert.NotEqual(a, Tuple("127.0.0.1", 1, "127.0.0.3", 2));
        Assert.True(a != Tuple("127.0.0.1", 1, "127.0.0.2", 3));
        Assert.NotEqual(Tuple("fe80::1%1", 1, "::1", 2), Tuple("fe80::1%2", 1, "::1", 2));
    }

    [Fact]
    public void Keeps_its_own_copy_of_the_addresses()
    {
        var address = IPAddress.Parse("fe80::1%1");
        var tuple = new FiveTuple(TransportProtocol.Tcp, new IPEndPoint(address, 1), new IPEndPoint(IPAddress.IPv6Loopback, 2));
        var hash = tuple.GetHashCode();
        address.ScopeId = 7;
        Assert.Equal(1, tuple.LocalAddress.ScopeId);
        Assert.Equal(hash, tuple.GetHashCode());
    }
}
