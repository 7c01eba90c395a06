namespace WsHub.SignalR.Internal;

/// <summary>
/// Lua scripts of the Redis registry. Each runs atomically, so a route lookup and its publish cost the sender one
/// round trip, and two instances cleaning up the same dead instance cannot interleave.
/// </summary>
/// <remarks>
/// TODO: the scripts build key and channel names from arguments, which Redis Cluster rejects when the names hash to
/// other slots; cluster support needs hash tags in <see cref="RedisNames"/>.
/// </remarks>
internal static class RegistryScripts
{
    /// <summary>
    /// Publishes a payload once to each instance that holds one of the connections, skipping the caller.
    /// KEYS[1] connections hash. ARGV: channel prefix, payload, caller instance id, connection ids...
    /// Returns the holder of each connection, or nil for a connection that exists nowhere.
    /// </summary>
    public const string RouteToConnections = """
        local holders = redis.call('HMGET', KEYS[1], unpack(ARGV, 4))
        local published = {}
        for i = 1, #holders do
          local holder = holders[i]
          if holder and holder ~= ARGV[3] and not published[holder] then
            published[holder] = true
            redis.call('PUBLISH', ARGV[1] .. holder, ARGV[2])
          end
        end
        return holders
        """;

    /// <summary>
    /// Publishes a payload once to each instance that holds a connection of one of the users, skipping the caller.
    /// KEYS[1] connections hash. ARGV: channel prefix, payload, caller instance id, user key prefix, user ids...
    /// Returns the number of instances published to.
    /// </summary>
    public const string RouteToUsers = """
        local published = {}
        local count = 0
        for i = 5, #ARGV do
          local ids = redis.call('SMEMBERS', ARGV[4] .. ARGV[i])
          if #ids > 0 then
            local holders = redis.call('HMGET', KEYS[1], unpack(ids))
            for j = 1, #holders do
              local holder = holders[j]
              if holder and holder ~= ARGV[3] and not published[holder] then
                published[holder] = true
                count = count + 1
                redis.call('PUBLISH', ARGV[1] .. holder, ARGV[2])
              end
            end
          end
        end
        return count
        """;

    /// <summary>
    /// Records a connection. KEYS: connections hash, instance connections hash, and the user's set when the
    /// connection has a user. ARGV: connection id, instance id, user id or an empty string.
    /// </summary>
    public const string RegisterConnection = """
        redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
        redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
        if #KEYS > 2 then
          redis.call('SADD', KEYS[3], ARGV[1])
        end
        return 1
        """;

    /// <summary>
    /// Removes a connection and its group memberships, leaving the connections hash alone when another instance has
    /// since taken the id. KEYS: connections hash, instance connections hash, the connection's groups set, and the
    /// user's set when the connection has a user. ARGV: connection id, instance id, group members key prefix.
    /// </summary>
    public const string UnregisterConnection = """
        if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then
          redis.call('HDEL', KEYS[1], ARGV[1])
        end
        redis.call('HDEL', KEYS[2], ARGV[1])
        local groups = redis.call('SMEMBERS', KEYS[3])
        for i = 1, #groups do
          redis.call('SREM', ARGV[3] .. groups[i], ARGV[1])
        end
        redis.call('DEL', KEYS[3])
        if #KEYS > 3 then
          redis.call('SREM', KEYS[4], ARGV[1])
        end
        return 1
        """;

    /// <summary>
    /// Records a group membership. KEYS: the group's members set, the connection's groups set.
    /// ARGV: connection id, group name.
    /// </summary>
    public const string JoinGroup = """
        redis.call('SADD', KEYS[1], ARGV[1])
        redis.call('SADD', KEYS[2], ARGV[2])
        return 1
        """;

    /// <summary>
    /// Removes a group membership. KEYS and ARGV as for <see cref="JoinGroup"/>.
    /// </summary>
    public const string LeaveGroup = """
        redis.call('SREM', KEYS[1], ARGV[1])
        redis.call('SREM', KEYS[2], ARGV[2])
        return 1
        """;

    /// <summary>
    /// Refreshes an instance's heartbeat with Redis server time, so instance clocks never matter.
    /// KEYS: instances sorted set, instance information hash, instance connections hash.
    /// ARGV: instance id, information TTL in ms, dead-after in ms, start time, state, local connection count.
    /// Returns { 1 if the instance was missing from the registry, registered connection count, dead ids, live ids }.
    /// </summary>
    public const string Heartbeat = """
        local time = redis.call('TIME')
        local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
        local added = redis.call('ZADD', KEYS[1], now, ARGV[1])
        redis.call('HSET', KEYS[2], 'started', ARGV[4], 'state', ARGV[5], 'connections', ARGV[6], 'heartbeat', now)
        redis.call('PEXPIRE', KEYS[2], ARGV[2])
        local cutoff = now - tonumber(ARGV[3])
        local dead = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', cutoff)
        local live = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. cutoff, '+inf')
        return { added, redis.call('HLEN', KEYS[3]), dead, live }
        """;

    /// <summary>
    /// Removes an instance and everything it registered. Unless forced, does nothing when the instance sent a
    /// heartbeat within the dead-after time, so a late clean-up never removes an instance that came back.
    /// KEYS: instances sorted set, connections hash, instance information hash, instance connections hash.
    /// ARGV: instance id, user key prefix, dead-after in ms or 0 to force, group members key prefix,
    /// connection groups key prefix.
    /// Returns the number of connections removed, or -1 when the instance is alive.
    /// </summary>
    public const string RemoveInstance = """
        local deadAfter = tonumber(ARGV[3])
        if deadAfter > 0 then
          local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
          if score then
            local time = redis.call('TIME')
            local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
            if tonumber(score) > now - deadAfter then
              return -1
            end
          end
        end
        local entries = redis.call('HGETALL', KEYS[4])
        for i = 1, #entries, 2 do
          local connection = entries[i]
          local user = entries[i + 1]
          if redis.call('HGET', KEYS[2], connection) == ARGV[1] then
            redis.call('HDEL', KEYS[2], connection)
          end
          if user ~= '' then
            redis.call('SREM', ARGV[2] .. user, connection)
          end
          local groupsKey = ARGV[5] .. connection
          local groups = redis.call('SMEMBERS', groupsKey)
          for j = 1, #groups do
            redis.call('SREM', ARGV[4] .. groups[j], connection)
          end
          redis.call('DEL', groupsKey)
        end
        redis.call('DEL', KEYS[3], KEYS[4])
        redis.call('ZREM', KEYS[1], ARGV[1])
        return #entries / 2
        """;
}
