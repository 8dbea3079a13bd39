using System.CommandLine;
using System.Net;
using HttpServer;

var port = new Option<int>("--port") { Description = "The port to listen on (0: any free port).", DefaultValueFactory = _ => 8080 };
var root = new Option<DirectoryInfo>("--root") { Description = "The folder of static files to serve.", DefaultValueFactory = _ => new DirectoryInfo(Path.Combine(AppContext.BaseDirectory, "wwwroot")) };
var address = new Option<string>("--address") { Description = "The address to listen on.", DefaultValueFactory = _ => "127.0.0.1" };
var command = new RootCommand("SocketKit's HTTP/1.1 and WebSocket sample server.") { port, root, address };
command.SetAction(async (result, ct) =>
{
    var endPoint = new IPEndPoint(IPAddress.Parse(result.GetValue(address)!), result.GetValue(port));
    await using var server = WebServer.Create(endPoint, result.GetValue(root)!.FullName);
    await server.StartAsync(ct);
    Console.WriteLine($"Listening on http://{server.EndPoints[0]}/ serving {result.GetValue(root)!.FullName}");
    await server.RunAsync(ct);
    return 0;
});
return await command.Parse(args).InvokeAsync();
