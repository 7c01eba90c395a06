using Microsoft.Extensions.Options;
using StackExchange.Redis;
using WsHub.SignalR;

namespace SampleChat;

/// <summary>
/// Names of the Redis keys the sample itself writes, next to those of the backplane. They start with the WsHub
/// channel prefix, so two apps that share one Redis with different prefixes keep separate room lists.
/// </summary>
/// <param name="options">The WsHub options, for the channel prefix.</param>
public sealed class SampleRedisKeys(IOptions<WsHubOptions> options)
{
    /// <summary>The sorted set of room names, scored by the number of joins, written by <see cref="RoomDirectory"/>.</summary>
    public RedisKey Rooms => $"{options.Value.ChannelPrefix}:sample:rooms";

    /// <summary>Returns the key that stores the display name of a WsHub instance.</summary>
    /// <param name="instanceId">The WsHub instance id.</param>
    /// <returns>The key.</returns>
    public RedisKey InstanceName(string instanceId) => $"{options.Value.ChannelPrefix}:sample:instance-name:{instanceId}";
}
