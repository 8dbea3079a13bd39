namespace SocketKit.Internal;

/// <summary>Something the shared tick visits: a connection checking its idle and timeout deadlines.</summary>
internal interface ITickable
{
    /// <summary>Checks deadlines against <paramref name="timestamp"/> (from the ticker's TimeProvider). Must be quick and not throw.</summary>
    void OnTick(long timestamp);
}
