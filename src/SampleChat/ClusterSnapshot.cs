namespace SampleChat;

/// <summary>
/// The body of <c>GET /api/cluster</c>: the live instances and the rooms with members.
/// </summary>
/// <param name="ServedBy">The name of the instance that produced the snapshot.</param>
/// <param name="Instances">The live instances, sorted by name and then by id.</param>
/// <param name="Rooms">The rooms with members, sorted by name.</param>
/// <param name="GeneratedAt">When the snapshot was taken, by the clock of the serving instance.</param>
public sealed record ClusterSnapshot(
    string ServedBy,
    IReadOnlyList<ClusterInstance> Instances,
    IReadOnlyList<ClusterRoom> Rooms,
    DateTimeOffset GeneratedAt);
