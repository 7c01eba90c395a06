namespace WsHub.SignalR.Internal;

/// <summary>The result of <see cref="HistoryScripts.Read"/>.</summary>
/// <param name="Complete">False when entries after the offset were trimmed or expired.</param>
/// <param name="Tail">The id of the stream's last entry, or <see cref="StreamOffset.Zero"/> for a missing stream.</param>
/// <param name="Entries">Entry ids and envelope prefixes after the offset, oldest first.</param>
internal sealed record HistoryReadResult(bool Complete, StreamOffset Tail, IReadOnlyList<(StreamOffset Offset, byte[] Prefix)> Entries);
