namespace WsHub.SignalR.Internal;

/// <summary>
/// The stored positions of a resume key: where the previous connection with that key stopped in each history group.
/// </summary>
/// <param name="PreviousConnectionId">The connection that stored the positions, or null.</param>
/// <param name="Positions">Group name to the last offset written to the previous connection.</param>
/// <param name="OtherLiveConnections">Other connections with the key that had not disconnected when read.</param>
internal sealed record ResumeState(
    string? PreviousConnectionId,
    IReadOnlyDictionary<string, StreamOffset> Positions,
    IReadOnlyList<string> OtherLiveConnections)
{
    /// <summary>True when another connection with the key had not stored its positions, so they are not final.</summary>
    public bool OtherConnectionLive => OtherLiveConnections.Count > 0;
}
