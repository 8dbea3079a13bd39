using SharpFuzz;
using SocketKit.Fuzz;

// Run by AFL++ through fuzz/run.sh on instrumented copies of SocketKit.dll (and HttpServer.dll); reads one input per
// execution. The argument picks the harness: the library's framers and codecs, or the HTTP sample's parsers.
var http = args.Length > 0 && args[0] == "http";
Fuzzer.OutOfProcess.Run(stream =>
{
    using var buffer = new MemoryStream();
    stream.CopyTo(buffer);
    if (http)
    {
        HttpFuzzTarget.Run(buffer.ToArray());
    }
    else
    {
        FuzzTarget.Run(buffer.ToArray());
    }
});
