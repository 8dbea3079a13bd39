using System.CommandLine;
using System.Net;
using SocketKit.Samples;
using Chat;
using HttpServer;
using HttpServer.ChatPage;
using Microsoft.Extensions.Logging;

var port = new Option<int>("--port") { Description = "The HTTP port (0: any free port).", DefaultValueFactory = _ => 8080 };
var root = new Option<DirectoryInfo>("--root") { Description = "The folder of static files to serve.", DefaultValueFactory = _ => new DirectoryInfo(Path.Combine(AppContext.BaseDirectory, "wwwroot")) };
var address = new Option<string>("--address") { Description = "The address to listen on.", DefaultValueFactory = _ => "127.0.0.1" };
var chatPort = new Option<int?>("--chat-port") { Description = "Also serve the TCP chat (the Chat sample's line protocol) on this port, in the same rooms as the /chat page." };
var redis = new Option<string?>("--redis") { Description = "HOST:PORT of a Redis server: the chat's rooms span every server (HttpServer or Chat) started with the same one." };
var command = new RootCommand("SocketKit's HTTP/1.1 and WebSocket sample server.") { port, root, address, chatPort, redis };
command.SetAction(async (result, ct) =>
{
    var ip = IPAddress.Parse(result.GetValue(address)!);
    var hub = new ChatHub();
    using var logging = LoggerFactory.Create(builder => builder.AddSimpleConsole(console => console.SingleLine = true));
    await using var backplane = result.GetValue(redis) is { } redisAddress
        ? new RedisChatBackplane(hub, redisAddress, logging.CreateLogger<RedisChatBackplane>())
        : null;
    if (backplane is not null)
    {
        await backplane.StartAsync(ct); // returns even if Redis is down: the chat then serves this server's people until it is back
    }

    await using var web = WebServer.Create(new IPEndPoint(ip, result.GetValue(port)), result.GetValue(root)!.FullName, hub);
    await web.StartAsync(ct);
    Console.WriteLine($"Listening on http://{web.EndPoints[0]}/ serving {result.GetValue(root)!.FullName}; chat at http://{web.EndPoints[0]}/chat");
    if (result.GetValue(chatPort) is not { } tcpPort)
    {
        await web.RunAsync(ct);
        return 0;
    }

    await using var chat = ChatEndpoints.CreateTcpServer(new IPEndPoint(ip, tcpPort), hub);
    await chat.StartAsync(ct);
    Console.WriteLine($"TCP chat on {chat.EndPoints[0]} (nc, socat or the Chat sample's client)");
    await Task.WhenAll(web.RunAsync(ct), chat.RunAsync(ct));
    return 0;
});
return await SampleCommandLine.InvokeAsync(command.Parse(args));
