using System.CommandLine;
using System.Net;
using SocketKit.Samples;
using Chat;

var host = new Option<string>("--host") { Description = "The address to listen on or connect to.", DefaultValueFactory = _ => "127.0.0.1" };
var port = new Option<int>("--port") { Description = "The TCP port.", DefaultValueFactory = _ => 5001 };
var nick = new Option<string>("--nick") { Description = "Your nickname.", Required = true };
var redis = new Option<string?>("--redis") { Description = "HOST:PORT of a Redis server: chat with every other chat server started with the same one (rooms, nicknames, /who, /msg)." };
var trustProxy = new Option<string[]>("--trust-proxy") { Description = "A network (CIDR) of load balancers that send the PROXY protocol (v1 or v2) naming the real client; repeatable.", AllowMultipleArgumentsPerToken = true };

var server = new Command("server", "Run the chat server until Ctrl+C or SIGTERM (any line client can join: nc, ncat, socat).") { host, port, redis, trustProxy };
server.SetAction((result, ct) => ChatServer.RunAsync(
    new IPEndPoint(IPAddress.Parse(result.GetValue(host)!), result.GetValue(port)),
    ct,
    result.GetValue(redis),
    (result.GetValue(trustProxy) ?? []).Select(IPNetwork.Parse).ToArray()));

var client = new Command("client", "Join a chat server: lines you type are sent, lines from the server are printed.") { host, port, nick };
client.SetAction((result, ct) => ChatClient.RunAsync(
    new DnsEndPoint(result.GetValue(host)!, result.GetValue(port)), result.GetValue(nick)!, Console.In, Console.Out, ct));

var root = new RootCommand("SocketKit chat sample: rooms, nicknames and private messages over a line protocol.") { server, client };
return await SampleCommandLine.InvokeAsync(root.Parse(args), new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(15) },
    e => e is Microsoft.Extensions.Options.OptionsValidationException); // the hosted server's settings
