using System.Buffers;
using System.Text.Json.Serialization;
using BenchmarkDotNet.Attributes;
using SocketKit.Codecs;

namespace SocketKit.Benchmarks;

public sealed record BenchMessage(string Text, int Sequence);

[JsonSerializable(typeof(BenchMessage))]
public sealed partial class BenchJsonContext : JsonSerializerContext;

/// <summary>Decode and encode of the message codecs; text and JSON allocate their message, bytes nothing.</summary>
[MemoryDiagnoser]
public class MessageCodecBenchmarks
{
    private readonly JsonCodec<BenchMessage> _json = new(BenchJsonContext.Default.BenchMessage);
    private ReadOnlySequence<byte> _textFrame;
    private ReadOnlySequence<byte> _jsonFrame;
    private string _text = "";
    private BenchMessage _message = null!;
    private ArrayBufferWriter<byte> _output = null!;

    [Params(32, 1024, 65536)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _text = new string('x', Size);
        _message = new BenchMessage(new string('x', Math.Max(1, Size - 24)), 42);
        _output = new ArrayBufferWriter<byte>(Size * 2);
        Utf8TextCodec.Instance.Encode(_text, _output);
        _textFrame = new ReadOnlySequence<byte>(_output.WrittenMemory.ToArray());
        _output.ResetWrittenCount();
        _json.Encode(_message, _output);
        _jsonFrame = new ReadOnlySequence<byte>(_output.WrittenMemory.ToArray());
    }

    [Benchmark]
    public long BytesDecode() => BytesCodec.Instance.Decode(_textFrame).Length;

    [Benchmark]
    public int Utf8Decode() => Utf8TextCodec.Instance.Decode(_textFrame).Length;

    [Benchmark]
    public int Utf8Encode()
    {
        _output.ResetWrittenCount();
        Utf8TextCodec.Instance.Encode(_text, _output);
        return _output.WrittenCount;
    }

    [Benchmark]
    public int JsonDecode() => _json.Decode(_jsonFrame).Sequence;

    [Benchmark]
    public int JsonEncode()
    {
        _output.ResetWrittenCount();
        _json.Encode(_message, _output);
        return _output.WrittenCount;
    }
}
