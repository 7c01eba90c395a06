using Microsoft.AspNetCore.SignalR;

namespace WsHub.SignalR.Internal;

/// <summary>
/// One decoded backplane message. Which members are set depends on <see cref="Kind"/>.
/// </summary>
internal sealed class BackplaneEnvelope
{
    public required EnvelopeKind Kind { get; init; }

    /// <summary>The id of the instance that published the envelope.</summary>
    public required string Origin { get; init; }

    /// <summary>
    /// Connection ids or user ids: the excluded connections of a broadcast, the target connections or the target users.
    /// </summary>
    public IReadOnlyList<string>? Targets { get; init; }

    /// <summary>The hub message serialised once per hub protocol.</summary>
    public SerializedMessage[]? Messages { get; init; }

    public long CommandId { get; init; }

    public string? ConnectionId { get; init; }

    public string? GroupName { get; init; }

    public bool AddToGroup { get; init; }

    public string? InvocationId { get; init; }

    /// <summary>The name of the hub protocol that <see cref="Payload"/> is written in.</summary>
    public string? ProtocolName { get; init; }

    /// <summary>Why an invocation failed, in words for the caller; for a probe, its nonce.</summary>
    public string? Reason { get; init; }

    /// <summary>The stream entry id of a <see cref="EnvelopeKind.HistoryBroadcast"/>.</summary>
    public string? Offset { get; init; }

    /// <summary>A serialised completion message.</summary>
    public ReadOnlyMemory<byte> Payload { get; init; }
}
