using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using SocketKit.TestSupport;

namespace SocketKit.Samples.Tests.Browser;

/// <summary>
/// Debian's chromium, headless, driven through the DevTools protocol over its own WebSocket: open tabs, run script in
/// them. Runs as root in CI, hence --no-sandbox; its profile is a temporary folder; it is killed by its PID at the end.
/// </summary>
public sealed class HeadlessChromium : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TempDirectory _profile;
    private readonly ClientWebSocket _socket = new();
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonNode>> _pending = new();
    private readonly CancellationTokenSource _stop = new();
    private Task _receiving = Task.CompletedTask;
    private int _nextId;

    private HeadlessChromium(Process process, TempDirectory profile)
    {
        _process = process;
        _profile = profile;
    }

    public static string? Executable => new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" }.FirstOrDefault(File.Exists);

    public static async Task<HeadlessChromium> StartAsync()
    {
        var profile = new TempDirectory();
        var start = new ProcessStartInfo(Executable ?? "chromium") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check",
            "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0", $"--user-data-dir={profile.Path}", "about:blank",
        })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        _ = process.StandardOutput.ReadToEndAsync(); // drained, so chromium never blocks on it
        var browser = new HeadlessChromium(process, profile);
        var endpoint = await AsyncAssert.Within(ReadDevToolsUrlAsync(process), "chromium's DevTools endpoint", seconds: 30);
        await browser._socket.ConnectAsync(new Uri(endpoint), CancellationToken.None);
        browser._receiving = browser.ReceiveAsync();
        return browser;
    }

    /// <summary>Opens a tab at <paramref name="url"/>; returns the DevTools session that drives it.</summary>
    public async Task<string> OpenTabAsync(string url)
    {
        // Attach to a blank tab first, then navigate: Page.navigate returns once the new document is committed, so no
        // script of ours runs in the blank page's context while it is being replaced.
        var target = await CallAsync("Target.createTarget", new JsonObject { ["url"] = "about:blank" });
        var attached = await CallAsync("Target.attachToTarget", new JsonObject { ["targetId"] = target["targetId"]!.GetValue<string>(), ["flatten"] = true });
        var session = attached["sessionId"]!.GetValue<string>();
        var navigated = await CallAsync("Page.navigate", new JsonObject { ["url"] = url }, session);
        Assert.True(navigated["errorText"] is null, $"{url} did not load: {navigated["errorText"]}");
        return session;
    }

    /// <summary>Evaluates <paramref name="expression"/> in a tab, awaiting it if it is a promise; returns its value as JSON.</summary>
    public async Task<JsonNode?> EvaluateAsync(string session, string expression)
    {
        var result = await CallAsync("Runtime.evaluate", new JsonObject { ["expression"] = expression, ["awaitPromise"] = true, ["returnByValue"] = true }, session);
        if (result["exceptionDetails"] is { } exception)
        {
            Assert.Fail($"Script failed in the page: {exception.ToJsonString()}");
        }

        return result["result"]?["value"];
    }

    /// <summary>
    /// Waits, inside the page, until <paramref name="condition"/> (a JavaScript expression) is true, re-checking every
    /// 50 ms for up to <paramref name="seconds"/>; fails the test with <paramref name="what"/> otherwise.
    /// </summary>
    public async Task WaitUntilAsync(string session, string condition, string what, int seconds = 10)
    {
        var met = await EvaluateAsync(session, $$"""
            new Promise(resolve => {
              const deadline = Date.now() + {{seconds * 1000}};
              const check = () => { let ok = false; try { ok = !!({{condition}}); } catch (e) {} 
                if (ok) resolve(true); else if (Date.now() > deadline) resolve(false); else setTimeout(check, 50); };
              check();
            })
            """);
        Assert.True(met?.GetValue<bool>() == true, $"Timed out after {seconds} s in the browser waiting for {what}.");
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        _socket.Abort();
        await _receiving.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _socket.Dispose();
        _process.Dispose();
        _stop.Dispose();
        _profile.Dispose();
    }

    private async Task<JsonNode> CallAsync(string method, JsonObject parameters, string? session = null)
    {
        var id = Interlocked.Increment(ref _nextId);
        var reply = new TaskCompletionSource<JsonNode>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = reply;
        var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters };
        if (session is not null)
        {
            message["sessionId"] = session;
        }

        await _socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
        var response = await AsyncAssert.Within(reply.Task, $"chromium's answer to {method}", seconds: 30);
        if (response["error"] is { } error)
        {
            Assert.Fail($"{method} failed: {error.ToJsonString()}");
        }

        return response["result"]!;
    }

    private async Task ReceiveAsync()
    {
        var buffer = new byte[64 * 1024];
        var message = new MemoryStream();
        while (!_stop.IsCancellationRequested)
        {
            var received = await _socket.ReceiveAsync(buffer, _stop.Token);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                return;
            }

            message.Write(buffer, 0, received.Count);
            if (!received.EndOfMessage)
            {
                continue;
            }

            var node = JsonNode.Parse(message.ToArray());
            message.SetLength(0);
            if (node?["id"]?.GetValue<int>() is { } id && _pending.TryRemove(id, out var waiter))
            {
                waiter.TrySetResult(node);
            }
        }
    }

    private static async Task<string> ReadDevToolsUrlAsync(Process process)
    {
        while (await process.StandardError.ReadLineAsync() is { } line)
        {
            const string Marker = "DevTools listening on ";
            var at = line.IndexOf(Marker, StringComparison.Ordinal);
            if (at >= 0)
            {
                _ = process.StandardError.ReadToEndAsync(); // keep draining, or chromium blocks on a full pipe
                return line[(at + Marker.Length)..].Trim();
            }
        }

        throw new InvalidOperationException("chromium exited without a DevTools endpoint.");
    }
}
