using BenchmarkDotNet.Running;

// dotnet run -c Release --project tests/SocketKit.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
