using BenchmarkDotNet.Running;
using SocketKit.Benchmarks.Echo;
using SocketKit.Benchmarks.Echo.Servers;

// dotnet run -c Release --project tests/SocketKit.Benchmarks -- echo [--runs 3] [--seconds 5] [--output docs/benchmarks]
//     the end-to-end echo comparison (SocketKit, Kestrel, DotNetty, bare sockets), each server in its own process
// dotnet run -c Release --project tests/SocketKit.Benchmarks -- --filter '*'
//     the BenchmarkDotNet micro-benchmarks
return args switch
{
    ["serve", var implementation, ..] => await ServerHost.RunAsync(implementation),
    ["echo", .. var rest] => await EchoBenchmark.RunAsync(rest),
    _ => Micro(args),
};

static int Micro(string[] args)
{
    BenchmarkSwitcher.FromAssembly(typeof(EchoBenchmark).Assembly).Run(args);
    return 0;
}
