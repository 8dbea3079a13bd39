namespace SocketKit.IntegrationTests;

/// <summary>Socket-heavy tests run one class at a time, so 2 cores are not oversubscribed.</summary>
[CollectionDefinition(nameof(LoopbackTests), DisableParallelization = true)]
public sealed class LoopbackTests;

/// <summary>The leak check measures the whole process, so it runs with nothing else alongside.</summary>
[CollectionDefinition(nameof(LeakTests), DisableParallelization = true)]
public sealed class LeakTests;
