using System.Text.Json.Serialization;

namespace Chat;

/// <summary>
/// A line on its way between chat servers: a room's line (<see cref="Room"/> set), a private line for one member
/// (<see cref="Nick"/> set), or a server's ping to itself (neither).
/// </summary>
/// <param name="Origin">The server that sent it.</param>
/// <param name="Room">The room it is for.</param>
/// <param name="Nick">The member it is for.</param>
/// <param name="Line">The text, as the members see it (or the ping's token).</param>
public sealed record RelayedLine(string Origin, string? Room, string? Nick, string Line);

/// <summary>System.Text.Json's source-generated serializer for what the servers relay (no reflection: Native AOT works).</summary>
[JsonSerializable(typeof(RelayedLine))]
internal sealed partial class ChatJson : JsonSerializerContext;
