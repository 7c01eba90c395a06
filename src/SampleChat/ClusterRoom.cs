namespace SampleChat;

/// <summary>
/// A room in the cluster view.
/// </summary>
/// <param name="Name">The room name.</param>
/// <param name="ConnectionCount">The number of connections in the room on every instance.</param>
public sealed record ClusterRoom(string Name, long ConnectionCount);
