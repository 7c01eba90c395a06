namespace WsHub.SignalR.Internal;

/// <summary>
/// The kind of a backplane envelope. Values are part of the wire format and never change meaning.
/// </summary>
internal enum EnvelopeKind
{
    /// <summary>A hub message for every local member of a channel (all or one group), minus excluded connections.</summary>
    Broadcast = 1,

    /// <summary>A hub message for the listed connections that the receiving instance holds.</summary>
    Connections = 2,

    /// <summary>A hub message for every local connection of the listed users.</summary>
    Users = 3,

    /// <summary>A request to add a local connection to a group or remove it from one.</summary>
    GroupCommand = 4,

    /// <summary>The acknowledgement of a <see cref="GroupCommand"/>.</summary>
    GroupAck = 5,

    /// <summary>A client-result invocation for a connection that the receiving instance holds.</summary>
    Invocation = 6,

    /// <summary>The completion of an <see cref="Invocation"/>, sent back to the requesting instance.</summary>
    InvocationResult = 7,

    /// <summary>The requester gave up on an <see cref="Invocation"/>, so the holder can drop it.</summary>
    InvocationCancel = 8,

    /// <summary>
    /// An <see cref="Invocation"/> failed because its connection is gone, not because the client returned an
    /// error, so the requester raises the same <see cref="IOException"/> as for a local connection.
    /// </summary>
    InvocationConnectionLost = 9,

    /// <summary>A message an instance sends to itself to learn that its subscriptions work again after a reconnect.</summary>
    Probe = 10,

    /// <summary>
    /// A <see cref="Broadcast"/> to a group that keeps history, with the id of its entry in the group's Redis stream
    /// as its last field. A Lua script appends the id, so the publish and the stream entry cannot disagree.
    /// </summary>
    HistoryBroadcast = 11,

    /// <summary>
    /// A new connection with the same resume key took over, so the holder aborts the old connection and stores its
    /// positions, even when the old client vanished without closing.
    /// </summary>
    ResumeTakeover = 12,

    /// <summary>
    /// An instance registered and listens, sent on the all channel, so the others count it as a peer before their next
    /// heartbeat reads the registry.
    /// </summary>
    InstanceStarted = 13,
}
