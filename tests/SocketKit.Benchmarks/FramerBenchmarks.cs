using System.Buffers;
using BenchmarkDotNet.Attributes;
using SocketKit.Codecs;

namespace SocketKit.Benchmarks;

/// <summary>Decode and encode of every built-in framer: many frames from one buffer, and one frame split across two segments.</summary>
[MemoryDiagnoser]
public class FramerBenchmarks
{
    private const int FramesPerBuffer = 64;
    private Framer _framer = null!;
    private ReadOnlySequence<byte> _many;
    private ReadOnlySequence<byte> _split;
    private byte[] _payload = [];
    private ArrayBufferWriter<byte> _output = null!;

    [Params("LengthField", "Delimiter", "Line", "FixedLength", "Raw")]
    public string Kind { get; set; } = "LengthField";

    [Params(32, 1024, 65536)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        // Payloads without the delimiter byte, so every framer cuts the same frames.
        _payload = Enumerable.Range(0, Size).Select(i => (byte)('a' + (i % 26))).ToArray();
        _framer = Create();
        var writer = new ArrayBufferWriter<byte>();
        for (var i = 0; i < FramesPerBuffer; i++)
        {
            _framer.Encode(_payload, writer);
        }

        _many = new ReadOnlySequence<byte>(writer.WrittenMemory);
        var one = writer.WrittenMemory[..(writer.WrittenCount / FramesPerBuffer)];
        _split = Segments.Split(one, one.Length / 2);
        _output = new ArrayBufferWriter<byte>(writer.WrittenCount);
    }

    [Benchmark(OperationsPerInvoke = FramesPerBuffer)]
    public int DecodeMany()
    {
        var buffer = _many;
        var frames = 0;
        while (_framer.Decode(ref buffer, out _) == FrameStatus.Frame)
        {
            frames++;
        }

        return frames;
    }

    [Benchmark]
    public long DecodeSplit()
    {
        var buffer = _split;
        _framer.Decode(ref buffer, out var frame);
        return frame.Length;
    }

    [Benchmark(OperationsPerInvoke = FramesPerBuffer)]
    public int Encode()
    {
        _output.ResetWrittenCount();
        for (var i = 0; i < FramesPerBuffer; i++)
        {
            _framer.Encode(_payload, _output);
        }

        return _output.WrittenCount;
    }

    private Framer Create() => Kind switch
    {
        "LengthField" => new LengthFieldFramer(new LengthFieldFramerOptions { MaxFrameLength = 1024 * 1024 }),
        "Delimiter" => new DelimiterFramer(DelimiterOptions()),
        "Line" => new LineFramer(new LineFramerOptions { MaxLineLength = 1024 * 1024 }),
        "FixedLength" => new FixedLengthFramer(Size),
        _ => new RawFramer(Size),
    };

    private static DelimiterFramerOptions DelimiterOptions()
    {
        var options = new DelimiterFramerOptions { MaxFrameLength = 1024 * 1024 };
        options.Delimiters.Add([0]);
        return options;
    }
}
