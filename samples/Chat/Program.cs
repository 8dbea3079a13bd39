using System.Net;
using Chat;
using SocketKit.Codecs;
using SocketKit.Tcp;

// A line-based chat server: `nc 127.0.0.1 5001` from a few terminals, type a nickname, then talk.
var port = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 5001;
var options = new TcpServerOptions { EndPoints = { new IPEndPoint(IPAddress.Loopback, port) } };
await using var server = new TcpServer<string, string>(options, Codec.Lines(), new ChatHandler());
await server.StartAsync();
Console.WriteLine($"chat on {server.EndPoints[0]}; press Enter to stop");
Console.ReadLine();
