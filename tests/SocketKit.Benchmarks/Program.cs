using BenchmarkDotNet.Running;
using SocketKit.Benchmarks.Echo;
using SocketKit.Benchmarks.Echo.Servers;
using SocketKit.Benchmarks.UdpEcho;

// dotnet run -c Release --project tests/SocketKit.Benchmarks -- echo [--runs 3] [--seconds 5] [--output docs/benchmarks] [--unpinned]
//     the end-to-end echo comparison (SocketKit, Kestrel, DotNetty, bare sockets, C epoll), each server in its own
//     process pinned to core 0, the C load generator on core 1 (needs gcc and taskset)
// dotnet run -c Release --project tests/SocketKit.Benchmarks -- echo-many [--servers socketkit,kestrel] [--total N]
//     as many idle connections as the descriptor limit allows, in steps: memory per connection, accept rate, a fresh client's echo
// dotnet run -c Release --project tests/SocketKit.Benchmarks -- echo-udp [--runs 3] [--seconds 5]
//     the UDP echo comparison (SocketKit's endpoint and sessions against a bare ReceiveFrom/SendTo loop)
// dotnet run -c Release --project tests/SocketKit.Benchmarks -- --filter '*'
//     the BenchmarkDotNet micro-benchmarks
return args switch
{
    ["serve", var implementation, .. var options] => await ServerHost.RunAsync(implementation, options.Contains("--tls")),
    ["echo", .. var rest] => await EchoBenchmark.RunAsync(rest),
    ["echo-many", .. var rest] => await ManyConnectionsBenchmark.RunAsync(rest),
    ["hold", var port] => await ManyConnectionsBenchmark.HoldAsync(int.Parse(port, System.Globalization.CultureInfo.InvariantCulture)),
    ["echo-udp", .. var rest] => await UdpEchoBenchmark.RunAsync(rest),
    _ => Micro(args),
};

static int Micro(string[] args)
{
    BenchmarkSwitcher.FromAssembly(typeof(EchoBenchmark).Assembly).Run(args);
    return 0;
}
