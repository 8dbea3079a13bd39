using System.Buffers;
using SocketKit.Codecs;
using static HttpServer.Http.HttpSyntax;

namespace HttpServer.Http;

/// <summary>
/// Cuts an HTTP/1.1 request stream into parts: each request's head (parsed and checked here, once), then its body in
/// pieces (Content-Length or de-chunked), then the next request (pipelining). One per connection; the decoder reads
/// the part it cut (<see cref="HttpRequestDecoder"/>).
/// </summary>
/// <remarks>
/// Strict by policy: lines end in CRLF (a bare LF or CR is a 400), no obs-fold, no whitespace before a field's
/// colon. A line is judged only once it is complete or once it cannot fit its limit, and the lines in order, so the
/// answer is the same however the bytes are split across reads. Nothing is consumed until a part is cut: a slow head
/// stays one incomplete frame, which the connection's frame timeout bounds (slowloris).
/// </remarks>
public sealed class HttpRequestFramer : Framer
{
    private static ReadOnlySpan<byte> LineEnds => "\r\n"u8;
    private readonly HttpLimits _limits;
    private readonly HttpBodyPart _bodyPart = new(); // reused: a part is valid only during its callback
    private State _state;
    private long _offset;   // bytes at the front of the input already checked but not consumed
    private long _searched; // bytes of the line at _offset known to hold no CR or LF
    private bool _requestLineDone;
    private int _fieldBytes;
    private int _fieldCount;
    private (string Method, string Target, int MinorVersion) _requestLine;
    private HttpHeaders? _headers;
    private long _remaining; // of the Content-Length body, or of the current chunk
    private long _bodyLength; // chunked: the body so far
    private int _extensionBytes; // chunked: the chunk extensions so far

    /// <summary>Creates a framer with the given limits.</summary>
    public HttpRequestFramer(HttpLimits limits)
        : base(Math.Max(limits.MaxBodyPiece, limits.MaxRequestLine + limits.MaxFieldSection))
    {
        _limits = limits;
    }

    private enum State
    {
        Head,
        Body,
        ChunkSize,
        ChunkData,
        ChunkEnd,
        Trailers,
    }

    /// <summary>A chunk-size line and the CRLF before it, around one piece of chunked body.</summary>
    public override int MaxOverheadLength => _limits.MaxChunkLine + 2;

    /// <summary>The part the last frame holds; read by the decoder.</summary>
    internal HttpRequestPart? Part { get; private set; }

    /// <inheritdoc />
    public override FrameStatus Decode(ref ReadOnlySequence<byte> input, out ReadOnlySequence<byte> frame)
    {
        frame = default;
        while (true)
        {
            switch (_state)
            {
                case State.Head:
                    if (!TryParseHead(input, out var head))
                    {
                        return FrameStatus.NeedMoreData;
                    }

                    frame = Cut(ref input, 0, _offset);
                    Part = head;
                    (_state, _remaining, _bodyLength, _extensionBytes) = head.BodyKind switch
                    {
                        HttpBodyKind.ContentLength => (State.Body, head.ContentLength, 0L, 0),
                        HttpBodyKind.Chunked => (State.ChunkSize, 0L, 0L, 0),
                        _ => (State.Head, 0L, 0L, 0),
                    };
                    return FrameStatus.Frame;

                case State.Body:
                case State.ChunkData:
                    var available = input.Length - _offset;
                    if (available == 0)
                    {
                        return FrameStatus.NeedMoreData;
                    }

                    var take = Math.Min(Math.Min(available, _remaining), _limits.MaxBodyPiece);
                    frame = Cut(ref input, _offset, take);
                    _remaining -= take;
                    var last = _state == State.Body && _remaining == 0;
                    if (_remaining == 0)
                    {
                        _state = _state == State.Body ? State.Head : State.ChunkEnd;
                    }

                    Part = BodyPart(frame, last);
                    return FrameStatus.Frame;

                case State.ChunkEnd:
                    // Exactly CRLF after the chunk's data; each byte is judged as soon as it is there.
                    if (input.Length - _offset < 1)
                    {
                        return FrameStatus.NeedMoreData;
                    }

                    if (ByteAt(input, _offset) != CR)
                    {
                        throw HttpHeadParser.Bad("Chunk data is longer than its size says.");
                    }

                    if (input.Length - _offset < 2)
                    {
                        return FrameStatus.NeedMoreData;
                    }

                    if (ByteAt(input, _offset + 1) != LF)
                    {
                        throw HttpHeadParser.Bad("A bare CR after chunk data.");
                    }

                    _offset += 2;
                    _state = State.ChunkSize;
                    continue;

                case State.ChunkSize:
                    if (!TryFindLine(input, _limits.MaxChunkLine, 400, out var end))
                    {
                        return FrameStatus.NeedMoreData;
                    }

                    var (size, extensions) = ChunkSize(LineAt(input, _offset, end));
                    _offset = end + 2;
                    _extensionBytes += extensions; // each line is at most MaxChunkLine: no overflow before the check
                    if (_extensionBytes > _limits.MaxChunkExtensions)
                    {
                        throw new BadHttpRequestException(413, $"The chunk extensions of the request exceed the {_limits.MaxChunkExtensions} bytes allowed.");
                    }

                    if (size == 0)
                    {
                        (_state, _fieldBytes, _fieldCount) = (State.Trailers, 0, 0);
                        continue;
                    }

                    if (size > _limits.MaxBody - _bodyLength)
                    {
                        throw new BadHttpRequestException(413, $"The chunked body is larger than the {_limits.MaxBody} bytes allowed.");
                    }

                    (_bodyLength, _remaining, _state) = (_bodyLength + size, size, State.ChunkData);
                    continue;

                case State.Trailers:
                    if (!TryParseFields(input, trailers: true))
                    {
                        return FrameStatus.NeedMoreData;
                    }

                    frame = Cut(ref input, 0, _offset);
                    _state = State.Head;
                    Part = BodyPart(default, last: true); // trailers are checked, then ignored
                    return FrameStatus.Frame;
            }
        }
    }

    /// <inheritdoc />
    public override void Encode(ReadOnlySpan<byte> payload, IBufferWriter<byte> output) => output.Write(payload); // a response is written whole by its encoder

    /// <inheritdoc />
    public override void Reset()
    {
        base.Reset();
        (_state, _offset, _searched, _remaining, _bodyLength) = (State.Head, 0L, 0L, 0L, 0L);
        ResetHead();
        Part = null;
    }

    private bool TryParseHead(ReadOnlySequence<byte> input, out HttpRequestHead head)
    {
        head = null!;
        while (!_requestLineDone)
        {
            // Empty lines before the request line are skipped (RFC 9112 section 2.2) but count against its limit, so a
            // stream of CRLFs cannot fill the input buffer.
            if (!TryFindLine(input, _limits.MaxRequestLine - _offset, 414, out var end))
            {
                return false;
            }

            if (end > _offset)
            {
                _requestLine = HttpHeadParser.ParseRequestLine(LineAt(input, _offset, end));
                _requestLineDone = true;
                _headers = new HttpHeaders();
                _fieldBytes = 0;
            }

            _offset = end + 2;
        }

        if (!TryParseFields(input, trailers: false))
        {
            return false;
        }

        head = HttpHeadParser.Complete(_requestLine.Method, _requestLine.Target, _requestLine.MinorVersion, _headers!, _limits);
        ResetHead();
        return true;
    }

    /// <summary>Field lines up to the empty line: the header section, or a chunked body's trailers (checked, then dropped).</summary>
    private bool TryParseFields(ReadOnlySequence<byte> input, bool trailers)
    {
        while (true)
        {
            var lineStart = _offset;
            if (!TryFindLine(input, _limits.MaxFieldSection - _fieldBytes, 431, out var end))
            {
                return false;
            }

            _fieldBytes += (int)(end - lineStart) + 2;
            _offset = end + 2;
            if (end == lineStart)
            {
                return true;
            }

            if (++_fieldCount > _limits.MaxFields)
            {
                throw new BadHttpRequestException(431, $"More than {_limits.MaxFields} header fields.");
            }

            HttpHeadParser.ParseField(LineAt(input, lineStart, end), trailers ? [] : _headers!);
        }
    }

    /// <summary>
    /// Finds the CRLF ending the line at <see cref="_offset"/>. The line and its CRLF must fit in <paramref name="window"/>
    /// bytes, or the answer is <paramref name="limitStatus"/>; a bare LF or CR is a 400. False: more input is needed.
    /// </summary>
    private bool TryFindLine(ReadOnlySequence<byte> input, long window, int limitStatus, out long end)
    {
        end = 0;
        if (window < 2)
        {
            throw new BadHttpRequestException(limitStatus, limitStatus == 400 ? "A chunk-size line is too long." : "A line of the request is too long.");
        }

        var searchable = Math.Min(input.Length - _offset, window);
        var reader = new SequenceReader<byte>(input.Slice(_offset + _searched, searchable - _searched));
        if (!reader.TryAdvanceToAny(LineEnds, advancePastDelimiter: false))
        {
            _searched = searchable;
            if (searchable >= window)
            {
                throw new BadHttpRequestException(limitStatus, limitStatus == 400 ? "A chunk-size line is too long." : "A line of the request is too long.");
            }

            return false;
        }

        var at = _offset + _searched + reader.Consumed;
        reader.TryPeek(out var found);
        if (found == LF)
        {
            throw HttpHeadParser.Bad("A line ends in a bare LF; CRLF is required.");
        }

        _searched = at - _offset;
        if (at - _offset + 2 > window)
        {
            throw new BadHttpRequestException(limitStatus, limitStatus == 400 ? "A chunk-size line is too long." : "A line of the request is too long.");
        }

        if (at + 1 >= input.Length)
        {
            return false; // the CR is the last byte so far
        }

        if (ByteAt(input, at + 1) != LF)
        {
            throw HttpHeadParser.Bad("A bare CR in the request.");
        }

        _searched = 0;
        end = at;
        return true;
    }

    private static ReadOnlySpan<byte> LineAt(ReadOnlySequence<byte> input, long start, long end)
    {
        var line = input.Slice(start, end - start);
        return line.IsSingleSegment ? line.FirstSpan : line.ToArray();
    }

    /// <summary>chunk-size [ chunk-ext ]: hex digits without overflow, then extensions that are checked, counted and ignored.</summary>
    private static (long Size, int ExtensionBytes) ChunkSize(ReadOnlySpan<byte> line)
    {
        long size = 0;
        var i = 0;
        for (; i < line.Length && HexValue(line[i]) >= 0; i++)
        {
            if (size > long.MaxValue >> 4)
            {
                throw HttpHeadParser.Bad("A chunk size overflows.");
            }

            size = (size << 4) | (long)HexValue(line[i]);
        }

        if (i == 0)
        {
            throw HttpHeadParser.Bad("A chunk size is not hexadecimal.");
        }

        ChunkExtensions.Check(line[i..]);
        return (size, line.Length - i);
    }

    private static byte ByteAt(ReadOnlySequence<byte> input, long index) => input.Slice(index, 1).FirstSpan[0];

    /// <summary>Cuts a frame and consumes the input up to its end (everything checked before it included).</summary>
    private ReadOnlySequence<byte> Cut(ref ReadOnlySequence<byte> input, long start, long length)
    {
        var frame = input.Slice(start, length);
        input = input.Slice(frame.End);
        _offset = 0;
        return frame;
    }

    private HttpBodyPart BodyPart(ReadOnlySequence<byte> data, bool last)
    {
        _bodyPart.Data = data;
        _bodyPart.IsLast = last;
        return _bodyPart;
    }

    private void ResetHead()
    {
        _requestLineDone = false;
        _headers = null;
        (_fieldBytes, _fieldCount) = (0, 0);
    }
}
