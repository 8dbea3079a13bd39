using System.Net;
using SocketKit.Codecs;
using SocketKit.Connections;
using SocketKit.IntegrationTests.Infrastructure;
using SocketKit.Requests;
using SocketKit.Tcp;

namespace SocketKit.IntegrationTests;

/// <summary>Request/response end to end on loopback: one shared <see cref="RequestHandler{TRequest, TResponse}"/> serving several clients' <see cref="RequestClient{TRequest, TResponse}"/>.</summary>
[Collection(nameof(LoopbackTests))]
public class RequestResponseTests
{
    /// <summary>Squares the number in the request; the odd ones yield first, so answers leave out of order.</summary>
    private sealed class SquareServer() : RequestHandler<string, string>(new LineIds(), maxConcurrentRequests: 4)
    {
        protected override async ValueTask<string> HandleAsync(Connection<string, string> connection, string request, CancellationToken cancellationToken)
        {
            var n = long.Parse(request.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
            if (n % 2 == 1)
            {
                await Task.Yield();
            }

            return (n * n).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    [Fact]
    public async Task Three_clients_each_with_a_hundred_requests_in_flight_get_every_answer_matched()
    {
        var options = new TcpServerOptions { EndPoints = { new IPEndPoint(IPAddress.Loopback, 0) } };
        await using var server = new TcpServer<string, string>(options, Codec.Lines(), new SquareServer());
        await server.StartAsync(TestContext.Current.CancellationToken);

        async Task<long[]> ClientAsync()
        {
            await using var connection = await TcpConnector.ConnectAsync(server.EndPoints[0], Codec.Lines(), cancellationToken: TestContext.Current.CancellationToken);
            await using var requests = new RequestClient<string, string>(connection, new LineIds());
            var answers = await Task.WhenAll(Enumerable.Range(1, 100).Select(n => requests.SendAsync(n.ToString(System.Globalization.CultureInfo.InvariantCulture), TestContext.Current.CancellationToken)));
            return answers.Select(a => long.Parse(a.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        }

        var results = await AsyncAssert.Within(Task.WhenAll(ClientAsync(), ClientAsync(), ClientAsync()), "every client's answers", seconds: 30);

        var expected = Enumerable.Range(1, 100).Select(n => (long)n * n).ToArray();
        Assert.All(results, answers => Assert.Equal(expected, answers));
        Assert.Equal(3, server.AcceptedConnections);
    }
}
