using System.Net;
using System.Runtime.InteropServices;
using Chat;
using SocketKit.Codecs;
using SocketKit.Tcp;

// A line-based chat server: `nc 127.0.0.1 5001` from a few terminals, type a nickname, then talk.
// Runs until Ctrl+C or SIGTERM (it reads nothing from the console, so it also runs as a service or with stdin closed).
var port = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 5001;
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true; // stop gracefully instead of being killed
    stop.Cancel();
};
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    stop.Cancel();
});

var options = new TcpServerOptions { EndPoints = { new IPEndPoint(IPAddress.Loopback, port) } };
await using var server = new TcpServer<string, string>(options, Codec.Lines(), new ChatHandler());
await server.StartAsync();
Console.WriteLine($"chat on {server.EndPoints[0]}; Ctrl+C to stop");
await server.RunAsync(stop.Token);
Console.WriteLine($"stopped after {server.AcceptedConnections} connection(s)");
