using SharpFuzz;
using SocketKit.Fuzz;

// Run by AFL++ through fuzz/run.sh on an instrumented copy of SocketKit.dll; reads one input per execution.
Fuzzer.OutOfProcess.Run(stream =>
{
    using var buffer = new MemoryStream();
    stream.CopyTo(buffer);
    FuzzTarget.Run(buffer.ToArray());
});
