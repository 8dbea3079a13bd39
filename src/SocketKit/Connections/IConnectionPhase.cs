using SocketKit.Internal;
using SocketKit.Transports;

namespace SocketKit.Connections;

/// <summary>
/// A connection made by <c>Upgrade</c> and waiting for its predecessor to hand it the transport. Not generic, because
/// the predecessor does not know the new message types.
/// </summary>
internal interface IConnectionPhase : IOwnedConnection, ITransportObserver
{
    /// <summary>Takes what carries over from the predecessor: its traffic, whether the peer has finished, its last activity.</summary>
    void TakeOver(in PhaseState state);

    /// <summary>Starts the new phase's message loop (the predecessor has finished its own).</summary>
    void Run();

    /// <summary>The predecessor closed before it could hand over: this phase never runs, and completes with the same close.</summary>
    void Abandon(CloseInfo info);
}

/// <summary>What one protocol phase of a connection passes to the next.</summary>
internal readonly record struct PhaseState(TrafficCounts Traffic, bool PeerFinished, long LastReceive, long LastSend);
