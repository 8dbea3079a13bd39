using SocketKit.Benchmarks.Echo;
using SocketKit.Benchmarks.Echo.Servers;

namespace SocketKit.IntegrationTests;

/// <summary>The echo benchmark's SocketKit server under its own load generator, in process, for about a second.</summary>
[Collection(nameof(LoopbackTests))]
public class EchoBenchmarkSmokeTests
{
    [Fact]
    public async Task The_benchmark_echo_serves_verified_load_for_a_second()
    {
        using var stopServer = new CancellationTokenSource();
        var server = await SocketKitEchoServer.StartServerAsync(stopServer.Token);
        using var stopLoad = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        var echoed = await AsyncAssert.Within(
            LoadGenerator.RunAsync(server.EndPoints[0].Port, connections: 4, inFlight: 4, payload: 1024, stopLoad.Token),
            "a second of verified echo load", 30);
        Assert.True(echoed > 100, $"only {echoed} frames echoed in a second");
        await stopServer.CancelAsync();
        await AsyncAssert.Within(server.StopAsync(), "the server to stop");
    }
}
