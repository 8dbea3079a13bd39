using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace SocketKit.IntegrationTests.Infrastructure;

/// <summary>Captures log events by id, so a test can await "the accept failed and was retried".</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider, ILoggerFactory
{
    private readonly ConcurrentDictionary<int, TaskCompletionSource<Exception?>> _seen = new();

    public Task<Exception?> WhenEvent(int eventId) => Waiter(eventId).Task;

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private TaskCompletionSource<Exception?> Waiter(int id) =>
        _seen.GetOrAdd(id, _ => new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously));

    private sealed class Logger(CapturingLoggerProvider owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Waiter(eventId.Id).TrySetResult(exception);
    }
}
