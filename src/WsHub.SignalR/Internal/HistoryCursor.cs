namespace WsHub.SignalR.Internal;

/// <summary>
/// The position of one connection in one history group. While the connection joins, live messages wait in
/// <see cref="Pending"/> until the replay from the stream has been written, so the seam has no gap and no duplicate.
/// Changes under the lock of this object.
/// </summary>
internal sealed class HistoryCursor
{
    /// <summary>The offset of the last message written to the connection, or where it joined; null when unknown.</summary>
    public StreamOffset? Last { get; set; }

    /// <summary>
    /// True once the connection was asked to close, so nothing more is written and the position stays where the
    /// client stops reading.
    /// </summary>
    public bool Closed { get; set; }

    /// <summary>Live messages held during the join; null once the connection receives live messages directly.</summary>
    /// <remarks>NOTE: the list has no bound, so a busy group adds about one entry per message while the replay is read.</remarks>
    public List<HistoryEntry>? Pending { get; set; } = [];
}
