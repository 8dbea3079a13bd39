using System.Text;
using HttpServer.Http;

namespace SocketKit.Samples.Tests.Http;

/// <summary>
/// The sample's HTTP/1.1 request parser against valid and malicious requests (RFC 9112 and 9110), each tried whole,
/// a byte per read, and split at every byte: the answer must not depend on how the bytes arrive.
/// </summary>
public class HttpRequestParserTests
{
    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET / 1.1 None keep-alive=True continue=False [Host:a] body=[];")]
    [InlineData("GET /p/a%20b?q=1&r=/x HTTP/1.1\r\nHost: example.com:8080\r\nX-Empty:\r\nX-Spaces: \t v a l \t\r\n\r\n",
        "GET /p/a%20b?q=1&r=/x 1.1 None keep-alive=True continue=False [Host:example.com:8080|X-Empty:|X-Spaces:v a l] body=[];")]
    [InlineData("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello",
        "POST /echo 1.1 ContentLength keep-alive=True continue=False [Host:a|Content-Length:5] body=[hello];")]
    [InlineData("POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;name=value;q=\"a \\\" b\"\r\nhello\r\n0A\r\n, chunked!\r\n000\r\nX-Trailer: ignored\r\n\r\n",
        "POST /echo 1.1 Chunked keep-alive=True continue=False [Host:a|Transfer-Encoding:chunked] body=[hello, chunked!];")]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "POST / 1.1 Chunked keep-alive=True continue=False [Host:a|Transfer-Encoding:chunked] body=[];")]
    [InlineData("GET /1 HTTP/1.1\r\nHost: a\r\n\r\nPOST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhiGET /3 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
        "GET /1 1.1 None keep-alive=True continue=False [Host:a] body=[];POST /2 1.1 ContentLength keep-alive=True continue=False [Host:a|Content-Length:2] body=[hi];GET /3 1.1 None keep-alive=False continue=False [Host:a|Connection:close] body=[];")]
    [InlineData("GET / HTTP/1.0\r\n\r\n", "GET / 1.0 None keep-alive=False continue=False [] body=[];")]
    [InlineData("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", "GET / 1.0 None keep-alive=True continue=False [Connection:Keep-Alive] body=[];")]
    [InlineData("\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", "GET / 1.1 None keep-alive=True continue=False [Host:a] body=[];")]
    [InlineData("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n", "OPTIONS * 1.1 None keep-alive=True continue=False [Host:a] body=[];")]
    [InlineData("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n", "CONNECT example.com:443 1.1 None keep-alive=True continue=False [Host:example.com:443] body=[];")]
    [InlineData("GET http://example.com/x?y HTTP/1.1\r\nHost: example.com\r\n\r\n", "GET http://example.com/x?y 1.1 None keep-alive=True continue=False [Host:example.com] body=[];")]
    [InlineData("GET / HTTP/1.1\r\nHost:\r\n\r\n", "GET / 1.1 None keep-alive=True continue=False [Host:] body=[];")]
    [InlineData("GET / HTTP/1.1\r\nHost: [::1]:80\r\n\r\n", "GET / 1.1 None keep-alive=True continue=False [Host:[::1]:80] body=[];")]
    [InlineData("PUT /f HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\nContent-Length: 1\r\n\r\nx",
        "PUT /f 1.1 ContentLength keep-alive=True continue=True [Host:a|Expect:100-Continue|Content-Length:1] body=[x];")]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok",
        "POST / 1.1 ContentLength keep-alive=True continue=False [Host:a|Content-Length:2|Content-Length:2] body=[ok];")]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n", "POST / 1.1 None keep-alive=True continue=False [Host:a|Content-Length:0] body=[];")]
    [InlineData("GET / HTTP/1.9\r\nHost: a\r\n\r\n", "GET / 1.1 None keep-alive=True continue=False [Host:a] body=[];")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, Upgrade\r\nUpgrade: websocket\r\n\r\n",
        "GET / 1.1 None keep-alive=True continue=False [Host:a|Connection:keep-alive, Upgrade|Upgrade:websocket] body=[];")]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\n1 ; ext\r\nA\r\n0\r\n\r\n",
        "POST / 1.1 Chunked keep-alive=True continue=False [Host:a|Transfer-Encoding:Chunked] body=[A];")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nX-Latin: caf\u00e9\r\n\r\n", "GET / 1.1 None keep-alive=True continue=False [Host:a|X-Latin:caf\u00e9] body=[];")]
    public void A_valid_request_is_parsed_the_same_at_every_split(string request, string expected) =>
        Assert.Equal(expected, HttpParse.SameAtEverySplit(request));

    [Theory]
    // Line endings: CRLF only (a documented policy: bare LF and bare CR are refused, not tolerated).
    [InlineData("GET / HTTP/1.1\nHost: a\r\n\r\n", 400)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\n\r\n", 400)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\n\n", 400)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n", 400)]
    [InlineData("GET / HTTP/1.1\rHost: a\r\n\r\n", 400)]
    [InlineData("\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", 400)]
    // Header fields: no obs-fold, tokens for names, no whitespace before the colon, no control characters.
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\n c\r\n\r\n", 400)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\n\tX-A: b\r\n\r\n", 400)]
    [InlineData("GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400)]
    [InlineData("GET / HTTP/1.1\r\nHost\t: a\r\n\r\n", 400)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\n: empty-name\r\n\r\n", 400)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nX(A): b\r\n\r\n", 400)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nNo-Colon\r\n\r\n", 400)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nX-A: b\0c\r\n\r\n", 400)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nX-A: b\u007fc\r\n\r\n", 400)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nX-\u00e9: b\r\n\r\n", 400)]
    // Request smuggling: Content-Length and Transfer-Encoding.
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n", 400)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", 400)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 3\r\n\r\nabc", 400)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", 400)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +3\r\n\r\nabc", 400)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x10\r\n\r\n", 400)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3 3\r\n\r\n", 400)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n\r\n", 400)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999999\r\n\r\n", 400)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n", 400)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n", 400)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: identity\r\n\r\n", 400)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n", 400)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\r\n\r\n", 400)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked;x=y\r\n\r\n", 400)]
    [InlineData("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 501)]
    // Chunked bodies.
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n\r\n", 400)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\n", 400)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n", 400)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcd\r\n0\r\n\r\n", 400)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\n0\r\n\r\n", 400)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\nabc\r\n0\r\n\r\n", 400)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3;\r\nabc\r\n0\r\n\r\n", 400)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3;a=\"x\r\nabc\r\n0\r\n\r\n", 400)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3 x\r\nabc\r\n0\r\n\r\n", 400)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3 \r\nabc\r\n0\r\n\r\n", 400)] // whitespace and no extension
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nBad Trailer: x\r\n\r\n", 400)]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n10001\r\n", 413)]
    // Host.
    [InlineData("GET / HTTP/1.1\r\n\r\n", 400)]
    [InlineData("GET / HTTP/1.1\r\nHost: a:xx\r\n\r\n", 400)] // a port that is not a number
    [InlineData("GET / HTTP/1.1\r\nHost: a:1:2\r\n\r\n", 400)]
    [InlineData("GET / HTTP/1.1\r\nHost: a]b\r\n\r\n", 400)]
    [InlineData("GET / HTTP/1.1\r\nHost: [::1]x\r\n\r\n", 400)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400)]
    [InlineData("GET / HTTP/1.0\r\nHost: a\r\nHost: a\r\n\r\n", 400)]
    [InlineData("GET / HTTP/1.1\r\nHost: user@a\r\n\r\n", 400)]
    [InlineData("GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400)]
    [InlineData("GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400)]
    // The request line and its target.
    [InlineData("GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400)]
    [InlineData("GET /  HTTP/1.1\r\nHost: a\r\n\r\n", 400)]
    [InlineData("GET / HTTP/1.1 \r\nHost: a\r\n\r\n", 400)]
    [InlineData(" GET / HTTP/1.1\r\nHost: a\r\n\r\n", 400)]
    [InlineData("GET /\r\n\r\n", 400)]
    [InlineData("GET / http/1.1\r\nHost: a\r\n\r\n", 400)]
    [InlineData("GET / HTTP/1.10\r\nHost: a\r\n\r\n", 400)]
    [InlineData("GET / HTTP/1\r\nHost: a\r\n\r\n", 400)]
    [InlineData("GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n", 400)]
    [InlineData("G(T / HTTP/1.1\r\nHost: a\r\n\r\n", 400)]
    [InlineData("GET /a#frag HTTP/1.1\r\nHost: a\r\n\r\n", 400)]
    [InlineData("GET /a%zz HTTP/1.1\r\nHost: a\r\n\r\n", 400)]
    [InlineData("GET /a%2 HTTP/1.1\r\nHost: a\r\n\r\n", 400)]
    [InlineData("GET /a\u0001b HTTP/1.1\r\nHost: a\r\n\r\n", 400)]
    [InlineData("GET /caf\u00e9 HTTP/1.1\r\nHost: a\r\n\r\n", 400)]
    [InlineData("GET /a\"b HTTP/1.1\r\nHost: a\r\n\r\n", 400)]
    [InlineData("GET example.com HTTP/1.1\r\nHost: a\r\n\r\n", 400)]
    [InlineData("GET * HTTP/1.1\r\nHost: a\r\n\r\n", 400)]
    [InlineData("CONNECT / HTTP/1.1\r\nHost: a\r\n\r\n", 400)]
    [InlineData("CONNECT example.com HTTP/1.1\r\nHost: a\r\n\r\n", 400)]
    [InlineData("GET http:// HTTP/1.1\r\nHost: a\r\n\r\n", 400)]
    [InlineData("BREW /pot HTTP/1.1\r\nHost: a\r\n\r\n", 501)]
    [InlineData("get / HTTP/1.1\r\nHost: a\r\n\r\n", 501)]
    [InlineData("GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505)]
    [InlineData("GET / HTTP/0.9\r\nHost: a\r\n\r\n", 505)]
    // Expectations.
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nExpect: 200-ok\r\nContent-Length: 1\r\n\r\nx", 417)]
    // Bodies over the limit are refused as soon as the head says so.
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 65537\r\n\r\n", 413)]
    public void A_malformed_request_is_answered_with_its_status_at_every_split(string request, int status)
    {
        var outcome = HttpParse.SameAtEverySplit(request);
        Assert.EndsWith($" error {status}", outcome);
    }

    [Fact]
    public void Requests_before_a_malformed_one_are_still_served()
    {
        var outcome = HttpParse.SameAtEverySplit("GET /ok HTTP/1.1\r\nHost: a\r\n\r\nGET /bad HTTP/1.1\nHost: a\r\n\r\n");
        Assert.Equal("GET /ok 1.1 None keep-alive=True continue=False [Host:a] body=[]; error 400", outcome);
    }

    [Fact]
    public void A_request_line_over_the_limit_is_414_whether_or_not_it_ever_ends()
    {
        var target = "/" + new string('a', HttpParse.Limits.MaxRequestLine);
        Assert.EndsWith(" error 414", HttpParse.SameAtEverySplit($"GET {target} HTTP/1.1\r\nHost: a\r\n\r\n"));
        Assert.EndsWith(" error 414", HttpParse.SameAtEverySplit($"GET {target}"));
        var fits = "/" + new string('a', HttpParse.Limits.MaxRequestLine - "GET  HTTP/1.1\r\n".Length - 1);
        Assert.StartsWith("GET /aaa", HttpParse.SameAtEverySplit($"GET {fits} HTTP/1.1\r\nHost: a\r\n\r\n"));
    }

    [Fact]
    public void Empty_lines_before_the_request_line_count_against_its_limit()
    {
        var blank = string.Concat(Enumerable.Repeat("\r\n", HttpParse.Limits.MaxRequestLine / 2));
        Assert.EndsWith(" error 414", HttpParse.SameAtEverySplit(blank + "GET / HTTP/1.1\r\nHost: a\r\n\r\n"));
        Assert.EndsWith(" error 414", HttpParse.SameAtEverySplit(blank));
        Assert.StartsWith("GET / 1.1", HttpParse.SameAtEverySplit("\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n"));
    }

    [Fact]
    public void Header_fields_over_the_size_or_count_limit_are_431()
    {
        var big = new string('v', HttpParse.Limits.MaxFieldSection);
        Assert.EndsWith(" error 431", HttpParse.SameAtEverySplit($"GET / HTTP/1.1\r\nHost: a\r\nX-Big: {big}\r\n\r\n"));
        Assert.EndsWith(" error 431", HttpParse.SameAtEverySplit($"GET / HTTP/1.1\r\nHost: a\r\nX-Big: {big}"));
        var many = string.Concat(Enumerable.Range(0, HttpParse.Limits.MaxFields).Select(i => $"X-{i}: {i}\r\n"));
        Assert.EndsWith(" error 431", HttpParse.SameAtEverySplit($"GET / HTTP/1.1\r\nHost: a\r\n{many}\r\n"));
        var justEnough = string.Concat(Enumerable.Range(0, HttpParse.Limits.MaxFields - 1).Select(i => $"X-{i}: {i}\r\n"));
        Assert.EndsWith("body=[];", HttpParse.SameAtEverySplit($"GET / HTTP/1.1\r\nHost: a\r\n{justEnough}\r\n"));
    }

    /// <summary>
    /// Chunk extensions have a budget per request (the class of Node's CVE-2024-22019): one-byte chunks with 1 000 bytes
    /// of extensions each pass up to 16 KiB, and a request that goes past it is 413. The next request starts afresh.
    /// </summary>
    [Fact]
    public void Chunk_extensions_over_the_per_request_budget_are_413_and_each_request_has_its_own()
    {
        var extension = ";e=" + new string('v', 997); // 1 000 bytes after the size
        string Chunked(int chunks) => "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" +
            string.Concat(Enumerable.Repeat($"1{extension}\r\nx\r\n", chunks)) + "0\r\n\r\n";
        var withinBudget = HttpParse.Limits.MaxChunkExtensions / 1000; // 16 chunks: 16 000 bytes

        Assert.EndsWith($"body=[{new string('x', withinBudget)}];", HttpParse.SameAtEverySplit(Chunked(withinBudget)));
        var over = HttpParse.SameAtEverySplit(Chunked(withinBudget) + Chunked(withinBudget + 1));
        Assert.EndsWith("[Host:a|Transfer-Encoding:chunked] error 413", over); // the second request's 17th extension
        Assert.Equal(1, over.Split("body=[").Length - 1);
        Assert.Equal(2, HttpParse.SameAtEverySplit(Chunked(withinBudget) + Chunked(withinBudget)).Split("body=[").Length - 1);
    }

    [Fact]
    public void A_chunked_body_over_the_limit_is_413_when_a_chunk_crosses_it()
    {
        var chunk = new string('x', 40 * 1024);
        var request = $"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n{chunk.Length:x}\r\n{chunk}\r\n{chunk.Length:x}\r\n{chunk}\r\n0\r\n\r\n";
        Assert.EndsWith(" error 413", HttpParse.SameAtEverySplit(request));
    }

    [Fact]
    public void A_large_body_arrives_in_pieces_no_larger_than_the_limit_and_whole()
    {
        var body = new string('b', 3 * HttpParse.Limits.MaxBodyPiece / 2);
        var limits = new HttpLimits { MaxBody = 1 << 20 };
        var framer = new HttpRequestFramer(limits);
        var pieces = new List<int>();
        var input = Encoding.ASCII.GetBytes($"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: {body.Length}\r\n\r\n{body}");
        var result = SocketKit.Testing.FramerDriver.Decode(framer, input, [], frame =>
        {
            if (HttpRequestDecoder.Instance.Decode(framer, frame) is HttpBodyPart part)
            {
                pieces.Add((int)part.Data.Length);
            }
        });

        Assert.Null(result.Error);
        Assert.Equal([limits.MaxBodyPiece, body.Length - limits.MaxBodyPiece], pieces);
    }

    [Theory]
    [InlineData("GET http://example.com/x?y HTTP/1.1\r\nHost: example.com\r\n\r\n", "/x", "y")]
    [InlineData("GET http://example.com HTTP/1.1\r\nHost: example.com\r\n\r\n", "/", "")]
    [InlineData("GET http://example.com?q HTTP/1.1\r\nHost: example.com\r\n\r\n", "/", "q")]
    [InlineData("GET https://example.com:8443/a/b HTTP/1.1\r\nHost: other\r\n\r\n", "/a/b", "")]
    [InlineData("GET /plain?q HTTP/1.1\r\nHost: a:\r\n\r\n", "/plain", "q")]
    public void An_absolute_form_target_gives_the_path_and_query_within_it(string request, string path, string query)
    {
        var head = Assert.IsType<HttpRequestHead>(HttpRequestDecoder.Instance.Decode(new System.Buffers.ReadOnlySequence<byte>(System.Text.Encoding.ASCII.GetBytes(request))));
        Assert.Equal(path, head.Path);
        Assert.Equal(query, head.Query);
    }

    [Fact]
    public void The_decoder_without_a_framer_parses_one_whole_head()
    {
        var head = Assert.IsType<HttpRequestHead>(HttpRequestDecoder.Instance.Decode(new System.Buffers.ReadOnlySequence<byte>("GET /x HTTP/1.1\r\nHost: h\r\n\r\n"u8.ToArray())));
        Assert.Equal("/x", head.Path);
        Assert.Equal("h", head.Headers["host"]);
        Assert.Throws<BadHttpRequestException>(() => HttpRequestDecoder.Instance.Decode(new System.Buffers.ReadOnlySequence<byte>("GET /x HTTP/1.1\r\nHost: h\r\n"u8.ToArray())));
    }
}
