namespace WsHub.SignalR.Internal;

/// <summary>
/// The stored positions of a resume key: where the previous connection with that key stopped in each history group.
/// </summary>
/// <param name="PreviousConnectionId">The connection that stored the positions, or null.</param>
/// <param name="Positions">Group name to the last offset written to the previous connection.</param>
/// <param name="OtherConnectionLive">True when another connection with the key had not disconnected when read.</param>
internal sealed record ResumeState(
    string? PreviousConnectionId,
    IReadOnlyDictionary<string, StreamOffset> Positions,
    bool OtherConnectionLive);
