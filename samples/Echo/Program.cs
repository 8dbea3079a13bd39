using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using Echo;
using SocketKit.Samples;

var host = new Option<string>("--host") { Description = "The address to listen on or connect to.", DefaultValueFactory = _ => "127.0.0.1" };
var port = new Option<int>("--port") { Description = "The TCP or UDP port.", DefaultValueFactory = _ => 5000 };
var udp = new Option<bool>("--udp") { Description = "Use UDP: each datagram is echoed back to its sender unchanged (no length prefix)." };
var unix = new Option<string?>("--unix") { Description = "A Unix domain socket path to listen on or connect to, instead of --host and --port (local clients; TCP framing)." };
var idleTimeout = new Option<int>("--idle-timeout") { Description = "Seconds a TCP connection may send and receive nothing before it is closed.", DefaultValueFactory = _ => (int)EchoServer.DefaultIdleTimeout.TotalSeconds };
var reusePort = new Option<bool>("--reuse-port") { Description = "Linux: share the port with other echo servers started with it (SO_REUSEPORT); the kernel spreads connections among them." };

var server = new Command("server", "Run the echo server until Ctrl+C, SIGTERM or SIGQUIT.") { host, port, udp, reusePort, unix, idleTimeout };
// The server stops gracefully on Ctrl+C, SIGTERM or SIGQUIT by itself (RunAsync()), draining for up to 10 s.
server.SetAction(result =>
{
    var endPoint = new IPEndPoint(IPAddress.Parse(result.GetValue(host)!), result.GetValue(port));
    var idle = TimeSpan.FromSeconds(result.GetValue(idleTimeout));
    return result.GetValue(unix) is { } path ? EchoServer.RunAsync(new UnixDomainSocketEndPoint(path), idleTimeout: idle)
        : result.GetValue(udp) ? UdpEchoServer.RunAsync(endPoint)
        : EchoServer.RunAsync(endPoint, result.GetValue(reusePort), idle);
});

var hosted = new Command("hosted", "Run the echo server in the .NET Generic Host (SocketKit.Hosting) until Ctrl+C or SIGTERM.") { host, port };
hosted.SetAction((result, ct) => HostedEchoServer.RunAsync(new IPEndPoint(IPAddress.Parse(result.GetValue(host)!), result.GetValue(port)), ct));

var client = new Command("client", "Send a few messages to an echo server and print the replies.") { host, port, udp, unix };
client.SetAction((result, ct) => result.GetValue(unix) is { } path ? EchoClient.RunAsync(new UnixDomainSocketEndPoint(path), Console.Out, ct)
    : result.GetValue(udp) ? UdpEchoClient.RunAsync(new IPEndPoint(IPAddress.Parse(result.GetValue(host)!), result.GetValue(port)), Console.Out, ct)
    : EchoClient.RunAsync(new DnsEndPoint(result.GetValue(host)!, result.GetValue(port)), Console.Out, ct));

var demo = new Command("demo", "Start a server and a client on loopback and show them talking.");
demo.SetAction((_, ct) => Demo.RunAsync(Console.Out, ct));

var root = new RootCommand("SocketKit echo sample: 4-byte big-endian length-prefixed frames over TCP, or plain datagrams over UDP (--udp).") { server, hosted, client, demo };
var parsed = root.Parse(args);
// The server takes the stop signals itself, so the command line must leave them alone there: its own handler would hold
// them for its whole timeout. Every other command is stopped through the command line's token.
var serverTakesSignals = parsed.CommandResult.Command == server;
return await SampleCommandLine.InvokeAsync(parsed,
    new InvocationConfiguration { ProcessTerminationTimeout = serverTakesSignals ? null : TimeSpan.FromSeconds(15) },
    e => e is Microsoft.Extensions.Options.OptionsValidationException); // the hosted server's settings
