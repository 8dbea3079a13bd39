using System.Net;

namespace Echo;

/// <summary>The README's first command: an echo server and client talking on loopback, with their lifecycle.</summary>
public static class Demo
{
    public static async Task<int> RunAsync(TextWriter output, CancellationToken cancellationToken)
    {
        await using var server = EchoServer.Create(new IPEndPoint(IPAddress.Loopback, 0), output);
        await server.StartAsync(cancellationToken);
        output.WriteLine($"server: listening on {server.EndPoints[0]}");
        var result = await EchoClient.RunAsync(server.EndPoints[0], output, cancellationToken);
        await server.StopAsync(cancellationToken);
        output.WriteLine(result == 0 ? "demo: every reply matched" : "demo: FAILED");
        return result;
    }
}
