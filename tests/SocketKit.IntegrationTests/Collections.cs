namespace SocketKit.IntegrationTests;

/// <summary>Socket-heavy tests run one class at a time, so 2 cores are not oversubscribed.</summary>
[CollectionDefinition(nameof(LoopbackTests), DisableParallelization = true)]
public sealed class LoopbackTests;
