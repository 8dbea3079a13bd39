using Microsoft.Extensions.Logging;
using SocketKit;

namespace RemoteControl;

/// <summary>Every command and refusal, with the controller's five-tuple: the agent's audit log.</summary>
internal static partial class AgentLog
{
    [LoggerMessage(1, LogLevel.Information, "{Tuple}: authenticated")]
    public static partial void Authenticated(ILogger logger, FiveTuple tuple);

    [LoggerMessage(2, LogLevel.Warning, "{Tuple}: authentication failed")]
    public static partial void AuthenticationFailed(ILogger logger, FiveTuple tuple);

    [LoggerMessage(3, LogLevel.Information, "{Tuple}: ran {Command} {Args}")]
    public static partial void Ran(ILogger logger, FiveTuple tuple, string command, string args);

    [LoggerMessage(4, LogLevel.Warning, "{Tuple}: refused {Command} {Args}: {Why}")]
    public static partial void Refused(ILogger logger, FiveTuple tuple, string command, string args, string why);

    [LoggerMessage(5, LogLevel.Warning, "{Tuple}: {Command} timed out")]
    public static partial void TimedOut(ILogger logger, FiveTuple tuple, string command);

    [LoggerMessage(6, LogLevel.Warning, "{Tuple}: no authentication within {Timeout}; dropped")]
    public static partial void Silent(ILogger logger, FiveTuple tuple, TimeSpan timeout);
}
