using Microsoft.Extensions.Logging;
using SocketKit.Internal;

namespace SocketKit.Servers;

/// <summary>Runs a server's accept filter for a new flow: a filter that throws refuses that flow (logged), never the server.</summary>
internal static class AcceptFilter
{
    public static async ValueTask<bool> AllowsAsync(
        Func<FiveTuple, CancellationToken, ValueTask<bool>>? filter, FiveTuple tuple, ILogger logger, CancellationToken stopping)
    {
        if (filter is null)
        {
            return true;
        }

        try
        {
            return await filter(tuple, stopping).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Log.AcceptFilterFailed(logger, tuple, e);
            return false;
        }
    }
}
