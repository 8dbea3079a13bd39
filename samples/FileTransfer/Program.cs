using System.CommandLine;
using System.Net;
using SocketKit.Samples;
using FileTransfer;

var host = new Option<string>("--host") { Description = "The address to listen on or connect to.", DefaultValueFactory = _ => "127.0.0.1" };
var port = new Option<int>("--port") { Description = "The TCP port.", DefaultValueFactory = _ => 5002 };
var root = new Option<string>("--root") { Description = "The folder to serve.", Required = true };
var output = new Option<string?>("--out") { Description = "Where to save the file (default: its name, here)." };
var file = new Argument<string>("FILE") { Description = "The file to upload." };
var name = new Argument<string>("NAME") { Description = "The name of the file on the server." };

var serve = new Command("serve", "Serve a folder until Ctrl+C or SIGTERM.") { host, port, root };
serve.SetAction((r, ct) => TransferServer.RunAsync(new IPEndPoint(IPAddress.Parse(r.GetValue(host)!), r.GetValue(port)), r.GetValue(root)!, ct));

var upload = new Command("upload", "Upload a file (an interrupted upload of the same file resumes).") { file, host, port };
upload.SetAction((r, ct) => Client(r, async c => Console.WriteLine($"uploaded, SHA-256 {await c.UploadAsync(r.GetValue(file)!, ct)}"), ct));

var download = new Command("download", "Download a file (an interrupted download resumes from FILE.part).") { name, host, port, output };
download.SetAction((r, ct) => Client(r, async c =>
    Console.WriteLine($"downloaded, SHA-256 {await c.DownloadAsync(r.GetValue(name)!, r.GetValue(output) ?? r.GetValue(name)!, ct)}"), ct));

var list = new Command("list", "List the served files.") { host, port };
list.SetAction((r, ct) => Client(r, async c =>
{
    foreach (var (fileName, size) in await c.ListAsync(ct))
    {
        Console.WriteLine($"{size,15:N0}  {fileName}");
    }
}, ct));

return await SampleCommandLine.InvokeAsync(
    new RootCommand("SocketKit file transfer sample: upload, download and list, resumable, SHA-256 verified.") { serve, upload, download, list }.Parse(args),
    new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(15) });

async Task<int> Client(ParseResult r, Func<TransferClient, Task> command, CancellationToken ct)
{
    try
    {
        await using var client = await TransferClient.ConnectAsync(new DnsEndPoint(r.GetValue(host)!, r.GetValue(port)), Console.Out, ct);
        await command(client);
        return 0;
    }
    catch (TransferException e)
    {
        await Console.Error.WriteLineAsync($"error: {e.Message}");
        return 1;
    }
}
