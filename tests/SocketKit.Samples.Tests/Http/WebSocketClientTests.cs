namespace SocketKit.Samples.Tests.Http;

/// <summary>The sample's WebSocket endpoint against an independent client: Debian's python3-websockets.</summary>
[Collection(nameof(SampleTests))]
public class WebSocketClientTests
{
    private static async Task<string[]> RunAsync(HttpServerFixture http, string scenario)
    {
        await ExternalTool.RequirePythonWebSocketsAsync();
        var script = Path.Combine(AppContext.BaseDirectory, "Http", "websocket_client.py");
        var (exit, output, error) = await ExternalTool.RunAsync(ExternalTool.Python, [script, $"ws://127.0.0.1:{http.EndPoint.Port}/ws/echo", scenario]);
        Assert.True(exit == 0, $"the client failed:\n{error}");
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    [Fact]
    public async Task Text_binary_and_large_messages_echo()
    {
        await using var http = await HttpServerFixture.StartAsync();

        var lines = await RunAsync(http, "echo");

        Assert.Equal(["text hello, \u00e9t\u00e9 \U0001f600", "binary True", "large True"], lines);
    }

    [Fact]
    public async Task Fragmented_messages_are_gathered()
    {
        await using var http = await HttpServerFixture.StartAsync();

        Assert.Equal(["text fragmented t\u00e9xt", "binary 010203"], await RunAsync(http, "fragments"));
    }

    [Fact]
    public async Task A_ping_is_answered_with_a_pong()
    {
        await using var http = await HttpServerFixture.StartAsync();

        Assert.Equal(["pong", "text after ping"], await RunAsync(http, "ping"));
    }

    [Fact]
    public async Task The_close_handshake_echoes_the_clients_code()
    {
        await using var http = await HttpServerFixture.StartAsync();

        Assert.Equal(["closed 4001"], await RunAsync(http, "close"));
    }

    [Fact]
    public async Task A_message_over_the_limit_is_closed_with_1009()
    {
        await using var http = await HttpServerFixture.StartAsync();

        Assert.Equal(["closed 1009"], await RunAsync(http, "too-big"));
    }
}
