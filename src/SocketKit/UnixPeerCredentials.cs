using System.Globalization;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace SocketKit;

/// <summary>
/// Who is at the other end of a Unix domain socket, as the kernel recorded it when the socket connected (or, for a
/// client, when the server's socket started listening): process id, user id and group id. It cannot be forged by the peer.
/// </summary>
/// <param name="ProcessId">The peer's process id.</param>
/// <param name="UserId">The peer's effective user id.</param>
/// <param name="GroupId">The peer's effective group id.</param>
public readonly record struct UnixPeerCredentials(int ProcessId, uint UserId, uint GroupId)
{
    private const int SolSocket = 1;  // SOL_SOCKET on Linux
    private const int SoPeerCred = 17; // SO_PEERCRED: struct ucred { pid_t pid; uid_t uid; gid_t gid; }

    /// <summary>Prints as <c>pid=1234 uid=1000 gid=1000</c>.</summary>
    /// <returns>The credentials as text.</returns>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"pid={ProcessId} uid={UserId} gid={GroupId}");

    /// <summary>Reads a connected Unix domain socket's peer (Linux: SO_PEERCRED); <see langword="null"/> elsewhere or if the OS will not say.</summary>
    internal static UnixPeerCredentials? Of(Socket socket)
    {
        if (!OperatingSystem.IsLinux() || socket.AddressFamily != AddressFamily.Unix)
        {
            return null;
        }

        Span<byte> ucred = stackalloc byte[12];
        try
        {
            if (socket.GetRawSocketOption(SolSocket, SoPeerCred, ucred) != ucred.Length)
            {
                return null;
            }
        }
        catch (SocketException)
        {
            return null;
        }

        // The kernel fills the struct in the machine's own byte order.
        return new UnixPeerCredentials(MemoryMarshal.Read<int>(ucred), MemoryMarshal.Read<uint>(ucred[4..]), MemoryMarshal.Read<uint>(ucred[8..]));
    }
}
