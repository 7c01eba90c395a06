using StackExchange.Redis;

namespace WsHub.SignalR.Internal;

/// <summary>
/// A message for other instances: a publish to a channel, or a registry script that routes it to the instances that
/// hold its targets.
/// </summary>
internal sealed class OutboundMessage(RedisChannel channel, byte[] payload, Func<Task>? route)
{
    public RedisChannel Channel { get; } = channel;

    public byte[] Payload { get; } = payload;

    /// <summary>Sends a routed message; null for a plain publish to <see cref="Channel"/>.</summary>
    public Func<Task>? Route { get; } = route;

    /// <summary>The order in which the message was sent, so retried messages keep their place.</summary>
    public long Sequence { get; set; }

    /// <summary>When the message entered the outage buffer, as a <see cref="TimeProvider"/> timestamp.</summary>
    public long BufferedAt { get; set; }

    /// <summary>When the message was handed to StackExchange.Redis, as a <see cref="TimeProvider"/> timestamp.</summary>
    public long SentAt { get; set; }
}
