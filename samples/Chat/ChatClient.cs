using System.Net;
using SocketKit.Codecs;
using SocketKit.Tcp;

namespace Chat;

/// <summary>A console client: prints every line from the server, sends every line typed; stdin's end sends /quit.</summary>
public static class ChatClient
{
    public static async Task<int> RunAsync(EndPoint server, string nick, TextReader input, TextWriter output, CancellationToken stop)
    {
        await using var connection = await TcpConnector.ConnectAsync(server, Codec.Lines(), cancellationToken: stop);
        var printing = PrintAsync();
        await connection.SendAsync($"/nick {nick}", stop);
        while (await input.ReadLineAsync(stop) is { } line)
        {
            await connection.SendAsync(line, stop);
        }

        await connection.SendAsync("/quit", stop); // the server answers BYE and closes
        await printing;
        return 0;

        async Task PrintAsync()
        {
            await foreach (var line in connection.ReadAllAsync(stop))
            {
                await output.WriteLineAsync(line);
            }
        }
    }
}
