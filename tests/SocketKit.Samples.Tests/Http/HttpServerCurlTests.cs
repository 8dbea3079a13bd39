using System.Security.Cryptography;

namespace SocketKit.Samples.Tests.Http;

/// <summary>The HTTP sample against a real client, curl: methods, bodies both ways, keep-alive, caching, errors, files.</summary>
[Collection(nameof(SampleTests))]
public class HttpServerCurlTests
{
    private static Task<(int ExitCode, string Output, string Error)> Curl(params string[] arguments)
    {
        ExternalTool.Require("curl", "curl");
        return ExternalTool.RunAsync("curl", ["--silent", "--show-error", "--max-time", "20", .. arguments]);
    }

    [Fact]
    public async Task Get_plaintext_answers_hello_world()
    {
        await using var http = await HttpServerFixture.StartAsync();

        var (exit, output, error) = await Curl("--write-out", " %{http_code} %{content_type}", http.Url("/plaintext"));

        Assert.True(exit == 0, error);
        Assert.Equal("Hello, World! 200 text/plain; charset=utf-8", output);
    }

    [Fact]
    public async Task Head_sends_the_headers_get_would_and_no_body()
    {
        await using var http = await HttpServerFixture.StartAsync();
        var length = new FileInfo(Path.Combine(http.Root.Path, "index.html")).Length;

        var (exit, output, error) = await Curl("--head", http.Url("/index.html"));

        Assert.True(exit == 0, error);
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", output);
        Assert.Contains($"Content-Length: {length}\r\n", output);
        Assert.Contains("Content-Type: text/html; charset=utf-8\r\n", output);
        Assert.EndsWith("\r\n\r\n", output); // curl prints only the head: a body would follow it
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Post_echo_returns_the_body_sent_with_content_length_or_chunked(bool chunked)
    {
        await using var http = await HttpServerFixture.StartAsync();
        var body = RandomNumberGenerator.GetBytes(300_000);
        var input = Path.Combine(http.Root.Path, ".upload");
        var output = Path.Combine(http.Root.Path, ".echoed");
        await File.WriteAllBytesAsync(input, body, TestContext.Current.CancellationToken);
        string[] encoding = chunked ? ["--header", "Transfer-Encoding: chunked"] : [];

        var (exit, status, error) = await Curl([.. encoding, "--data-binary", "@" + input, "--output", output, "--write-out", "%{http_code}", http.Url("/echo")]);

        Assert.True(exit == 0, error);
        Assert.Equal("200", status);
        Assert.Equal(body, await File.ReadAllBytesAsync(output, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Requests_on_one_curl_run_reuse_one_connection()
    {
        await using var http = await HttpServerFixture.StartAsync();

        var (exit, output, error) = await Curl("--verbose", http.Url("/plaintext"), http.Url("/plaintext"), http.Url("/index.html"));

        Assert.True(exit == 0, error);
        Assert.Equal(2, output.Split("Hello, World!").Length - 1);
        Assert.Contains("Re-using existing connection", error);
        Assert.Equal(1, http.Server.AcceptedConnections);
    }

    [Fact]
    public async Task A_cached_file_is_answered_304_by_its_etag_and_by_its_date()
    {
        await using var http = await HttpServerFixture.StartAsync();
        var (_, head, _) = await Curl("--head", http.Url("/index.html"));
        var etag = head.Split("\r\n").Single(line => line.StartsWith("ETag: ", StringComparison.Ordinal))[6..];
        var lastModified = head.Split("\r\n").Single(line => line.StartsWith("Last-Modified: ", StringComparison.Ordinal))[15..];

        var byTag = await Curl("--output", "/dev/null", "--write-out", "%{http_code}", "--header", $"If-None-Match: \"other\", {etag}", http.Url("/index.html"));
        var byDate = await Curl("--output", "/dev/null", "--write-out", "%{http_code}", "--header", $"If-Modified-Since: {lastModified}", http.Url("/index.html"));
        var changed = await Curl("--output", "/dev/null", "--write-out", "%{http_code}", "--header", "If-None-Match: \"other\"", http.Url("/index.html"));

        Assert.Equal("304", byTag.Output);
        Assert.Equal("304", byDate.Output);
        Assert.Equal("200", changed.Output);
    }

    [Theory]
    [InlineData("/missing.html", 404)]
    [InlineData("/../../../etc/passwd", 404)]
    [InlineData("/%2e%2e/%2e%2e/etc/passwd", 404)]
    [InlineData("/.hidden", 404)]
    [InlineData("/index.html/", 404)] // a file is not a folder
    [InlineData("/index.html", 200)]
    [InlineData("/plaintext?x=1", 200)]
    public async Task Paths_outside_the_folder_are_not_found(string path, int status)
    {
        await using var http = await HttpServerFixture.StartAsync();
        await File.WriteAllTextAsync(Path.Combine(http.Root.Path, ".hidden"), "secret", TestContext.Current.CancellationToken);

        var (exit, output, error) = await Curl("--path-as-is", "--output", "/dev/null", "--write-out", "%{http_code}", http.Url(path));

        Assert.True(exit == 0, error);
        Assert.Equal(status.ToString(System.Globalization.CultureInfo.InvariantCulture), output);
    }

    /// <summary>
    /// RFC 9112 section 3.2.2: a server must accept an absolute-form target. curl sends one to a proxy, so the server is
    /// named as curl's proxy (still on loopback: the URI's host is never looked up).
    /// </summary>
    [Theory]
    [InlineData("http://example.invalid/plaintext", "Hello, World! 200")]
    [InlineData("http://example.invalid/plaintext?x=1", "Hello, World! 200")]
    [InlineData("http://example.invalid/missing.html", "404")]
    public async Task An_absolute_form_target_is_routed_by_its_path(string uri, string expected)
    {
        await using var http = await HttpServerFixture.StartAsync();

        var (exit, output, error) = await Curl("--proxy", http.Url(""), "--write-out", " %{http_code}", "--output", "-", uri);

        Assert.True(exit == 0, error);
        Assert.EndsWith(expected, output, StringComparison.Ordinal);
    }

    /// <summary>One request's chunk extensions past its 16 KiB budget: 413, that connection closed, the server serving on.</summary>
    [Fact]
    public async Task A_request_past_the_chunk_extension_budget_is_413_and_the_server_serves_the_next_client()
    {
        await using var http = await HttpServerFixture.StartAsync();
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        await socket.ConnectAsync(http.EndPoint).WaitAsync(TimeSpan.FromSeconds(10));
        var extension = ";e=" + new string('v', 997);
        var request = "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" + string.Concat(Enumerable.Repeat($"1{extension}\r\nx\r\n", 17));

        await socket.SendAsync(System.Text.Encoding.ASCII.GetBytes(request), System.Net.Sockets.SocketFlags.None);
        var answer = new MemoryStream();
        var buffer = new byte[4096];
        int read;
        while ((read = await socket.ReceiveAsync(buffer.AsMemory(), System.Net.Sockets.SocketFlags.None).AsTask().WaitAsync(TimeSpan.FromSeconds(10))) > 0)
        {
            answer.Write(buffer, 0, read);
        }

        Assert.StartsWith("HTTP/1.1 413 ", System.Text.Encoding.ASCII.GetString(answer.ToArray()), StringComparison.Ordinal);
        var (exit, output, error) = await Curl(http.Url("/plaintext"));
        Assert.True(exit == 0, error);
        Assert.Equal("Hello, World!", output);
    }

    [Fact]
    public async Task A_body_over_the_limit_is_413_and_header_fields_over_theirs_431()
    {
        await using var http = await HttpServerFixture.StartAsync();
        var big = Path.Combine(http.Root.Path, ".big");
        await File.WriteAllBytesAsync(big, new byte[2 * 1024 * 1024], TestContext.Current.CancellationToken);

        var tooLarge = await Curl("--data-binary", "@" + big, "--output", "/dev/null", "--write-out", "%{http_code}", http.Url("/echo"));
        var tooManyBytes = await Curl("--header", "X-Big: " + new string('a', 20_000), "--output", "/dev/null", "--write-out", "%{http_code}", http.Url("/plaintext"));
        var stillServing = await Curl(http.Url("/plaintext"));

        Assert.Equal("413", tooLarge.Output);
        Assert.Equal("431", tooManyBytes.Output);
        Assert.Equal("Hello, World!", stillServing.Output);
    }

    [Fact]
    public async Task A_large_file_is_sent_whole_through_the_file_path()
    {
        await using var http = await HttpServerFixture.StartAsync();
        var content = RandomNumberGenerator.GetBytes(5 * 1024 * 1024 + 7);
        await File.WriteAllBytesAsync(Path.Combine(http.Root.Path, "data.bin"), content, TestContext.Current.CancellationToken);
        var output = Path.Combine(http.Root.Path, ".downloaded");

        var (exit, type, error) = await Curl("--output", output, "--write-out", "%{content_type}", http.Url("/data.bin"));

        Assert.True(exit == 0, error);
        Assert.Equal("application/octet-stream", type);
        Assert.Equal(content, await File.ReadAllBytesAsync(output, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task An_http10_client_gets_its_answer_and_the_connection_closes()
    {
        await using var http = await HttpServerFixture.StartAsync();

        var (exit, output, error) = await Curl("--http1.0", "--verbose", http.Url("/plaintext"), http.Url("/plaintext"));

        Assert.True(exit == 0, error);
        Assert.Equal("Hello, World!Hello, World!", output);
        Assert.DoesNotContain("Re-using existing connection", error);
        Assert.Equal(2, http.Server.AcceptedConnections);
    }

    [Fact]
    public async Task Expect_100_continue_gets_a_100_before_the_body_is_sent()
    {
        await using var http = await HttpServerFixture.StartAsync();

        var (exit, output, error) = await Curl("--verbose", "--header", "Expect: 100-continue", "--data-binary", "payload", http.Url("/echo"));

        Assert.True(exit == 0, error);
        Assert.Equal("payload", output);
        Assert.Contains("HTTP/1.1 100 Continue", error);
    }
}
