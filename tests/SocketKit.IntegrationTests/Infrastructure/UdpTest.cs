using System.Net;
using System.Text;
using SocketKit.Codecs;
using SocketKit.Connections;
using SocketKit.Udp;

namespace SocketKit.IntegrationTests.Infrastructure;

/// <summary>Creates and starts UDP endpoints for tests, every one guarded so it can send only to loopback.</summary>
public static class UdpTest
{
    public static async Task<UdpEndpoint<TIn, TOut>> StartAsync<TIn, TOut>(
        UdpEndpointOptions options, IMessageDecoder<TIn> decoder, IMessageEncoder<TOut> encoder, DatagramHandler<TIn, TOut>? handler = null)
    {
        options.LocalEndPoint ??= new IPEndPoint(options.RemoteEndPoint?.Address is { } remote && remote.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
            ? IPAddress.IPv6Loopback
            : IPAddress.Loopback, 0);
        var endpoint = new UdpEndpoint<TIn, TOut>(options, decoder, encoder, handler)
        {
            DestinationCheck = destination => Loopback.RequireUdpDestination(destination, options),
        };
        await endpoint.StartAsync(TestContext.Current.CancellationToken);
        return endpoint;
    }

    /// <summary>A text session server on 127.0.0.1, guarded like the endpoints.</summary>
    public static async Task<UdpServer<string, string>> StartServerAsync(UdpServerOptions options, ConnectionHandler<string, string> handler, TimeProvider? time = null)
    {
        options.Endpoint.LocalEndPoint ??= new IPEndPoint(IPAddress.Loopback, 0);
        var server = new UdpServer<string, string>(options, Utf8TextCodec.Instance, Utf8TextCodec.Instance, handler, timeProvider: time)
        {
            DestinationCheck = destination => Loopback.RequireUdpDestination(destination, options.Endpoint),
        };
        await server.StartAsync(TestContext.Current.CancellationToken);
        return server;
    }

    /// <summary>A text endpoint (UTF-8, strict: invalid bytes are a protocol error).</summary>
    public static Task<UdpEndpoint<string, string>> StartTextAsync(UdpEndpointOptions options, DatagramHandler<string, string>? handler = null) =>
        StartAsync(options, Utf8TextCodec.Instance, Utf8TextCodec.Instance, handler);

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
