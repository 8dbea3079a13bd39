using System.Diagnostics;
using System.Net;
using HttpServer.ChatPage;
using SocketKit.Samples.Tests.Http;

namespace SocketKit.Samples.Tests.Browser;

/// <summary>The chat page in a real browser (headless chromium): two tabs and a socat line client share the rooms.</summary>
[Collection(nameof(SampleTests))]
public class ChatPageBrowserTests
{
    [Fact]
    public async Task Two_browser_tabs_and_a_line_client_talk_to_each_other()
    {
        Assert.SkipUnless(HeadlessChromium.Executable is not null, "chromium is not installed (.ci/run installs it).");
        ExternalTool.Require("socat", "socat");
        await using var http = await HttpServerFixture.StartAsync();
        await using var tcpChat = ChatEndpoints.CreateTcpServer(new IPEndPoint(IPAddress.Loopback, 0), http.Hub);
        await tcpChat.StartAsync(TestContext.Current.CancellationToken);
        await using var browser = await HeadlessChromium.StartAsync();
        var ann = await browser.OpenTabAsync(http.Url("/chat"));
        var bob = await browser.OpenTabAsync(http.Url("/chat"));
        await browser.WaitUntilAsync(ann, "window.chat.lines().some(l => l.startsWith('Welcome'))", "ann's welcome");
        await browser.WaitUntilAsync(bob, "window.chat.lines().some(l => l.startsWith('Welcome'))", "bob's welcome");

        using var carol = ExternalTool.StartSocat($"TCP:127.0.0.1:{tcpChat.EndPoints[0].Port}");
        try
        {
            await TalkAsync(browser, ann, bob, carol);
        }
        finally
        {
            if (!carol.HasExited)
            {
                carol.Kill(); // stopped by its PID, whatever happened
            }
        }

        Assert.Equal(1, tcpChat.AcceptedConnections);
    }

    private static async Task TalkAsync(HeadlessChromium browser, string ann, string bob, Process carol)
    {
        await browser.EvaluateAsync(ann, "chat.send('/nick ann')");
        await browser.WaitUntilAsync(ann, "chat.lines().includes('* ann joined lobby')", "ann in the lobby");
        await browser.EvaluateAsync(bob, "chat.send('/nick bob')");
        await browser.WaitUntilAsync(ann, "chat.lines().includes('* bob joined lobby')", "ann to see bob join");
        await carol.StandardInput.WriteAsync("/nick carol\n");
        await carol.StandardInput.FlushAsync();
        await browser.WaitUntilAsync(bob, "chat.lines().includes('* carol joined lobby')", "bob to see carol (on TCP) join");

        await browser.EvaluateAsync(ann, "chat.send('hello from a browser')");
        await carol.StandardInput.WriteAsync("hello from nc\n/msg bob psst\n");
        await carol.StandardInput.FlushAsync();

        await browser.WaitUntilAsync(bob, "chat.lines().includes('[lobby] ann: hello from a browser')", "bob to hear ann");
        await browser.WaitUntilAsync(ann, "chat.lines().includes('[lobby] carol: hello from nc')", "ann to hear carol");
        await browser.WaitUntilAsync(bob, "chat.lines().includes('[lobby] carol: hello from nc')", "bob to hear carol");
        await browser.WaitUntilAsync(bob, "chat.lines().includes('[PM] carol: psst')", "bob's private message from carol");
        Assert.Equal("USERS lobby: ann, bob, carol", await WhoAsync(browser, ann));
        Assert.DoesNotContain("[PM] carol: psst", (await browser.EvaluateAsync(ann, "chat.lines()"))!.AsArray().Select(l => l!.GetValue<string>()));
        var carolSaw = await ReadLinesAsync(carol, "[lobby] ann: hello from a browser");
        Assert.Contains("* carol joined lobby", carolSaw); // the TCP client hears the same room as the tabs

        await browser.EvaluateAsync(bob, "chat.send('/quit')");
        await browser.WaitUntilAsync(bob, "chat.state() === 3", "bob's socket to close after /quit");
        await browser.WaitUntilAsync(ann, "chat.lines().includes('* bob left lobby')", "ann to see bob leave");
    }

    private static async Task<string> WhoAsync(HeadlessChromium browser, string tab)
    {
        await browser.EvaluateAsync(tab, "chat.send('/who')");
        await browser.WaitUntilAsync(tab, "chat.lines().some(l => l.startsWith('USERS '))", "the /who answer");
        return (await browser.EvaluateAsync(tab, "chat.lines().find(l => l.startsWith('USERS '))"))!.GetValue<string>();
    }

    /// <summary>Reads socat's output until a line equal to <paramref name="last"/>; returns what it read.</summary>
    private static async Task<List<string>> ReadLinesAsync(Process socat, string last)
    {
        var lines = new List<string>();
        while (lines.Count == 0 || lines[^1] != last)
        {
            var line = await socat.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10));
            Assert.True(line is not null, $"socat's output ended before \"{last}\"; it had: {string.Join(" | ", lines)}");
            lines.Add(line);
        }

        return lines;
    }
}
