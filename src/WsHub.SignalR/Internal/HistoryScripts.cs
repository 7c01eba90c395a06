namespace WsHub.SignalR.Internal;

/// <summary>
/// Lua scripts of history groups. Appending and publishing run in one script, so every published message has its
/// stream entry and the stream order is the channel order. Needs Redis 7.0 or later (XINFO STREAM entries-added,
/// exclusive ranges, XTRIM MINID).
/// </summary>
internal static class HistoryScripts
{
    /// <summary>
    /// Appends an envelope prefix to a group's stream, trims the stream, renews its expiry, and publishes the prefix
    /// followed by the new entry id as a MessagePack string. Length trimming is approximate, in whole stream nodes,
    /// because that is cheap. Age trimming is exact, because a small stream fits in one node and would otherwise
    /// never lose an old entry.
    /// KEYS[1] stream. ARGV: channel, envelope prefix, maximum length, maximum age in ms.
    /// Returns the entry id.
    /// </summary>
    public const string Append = """
        local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[3], '*', 'm', ARGV[2])
        local time = redis.call('TIME')
        local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
        redis.call('XTRIM', KEYS[1], 'MINID', string.format('%d', now - tonumber(ARGV[4])))
        redis.call('PEXPIRE', KEYS[1], ARGV[4])
        local header
        if #id < 32 then
          header = string.char(160 + #id)
        else
          header = string.char(217, #id)
        end
        redis.call('PUBLISH', ARGV[1], ARGV[2] .. header .. id)
        return id
        """;

    /// <summary>
    /// Reads the entries after an offset, and whether the stream still contains every entry after it. An offset is
    /// complete when its own entry is still in the stream, because trimming removes only the oldest entries. The
    /// offset 0-0 is complete when the stream does not exist or has never been trimmed. An empty offset reads only
    /// the last entry id.
    /// KEYS[1] stream. ARGV: offset or empty, maximum entries to return.
    /// Returns { 1 if complete else 0, last entry id or 0-0, entries }.
    /// </summary>
    public const string Read = """
        local from = ARGV[1]
        if redis.call('EXISTS', KEYS[1]) == 0 then
          if from == '' or from == '0-0' then
            return { 1, '0-0', {} }
          end
          return { 0, '0-0', {} }
        end
        local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)[1][1]
        if from == '' then
          return { 1, last, {} }
        end
        if from == '0-0' then
          local info = redis.call('XINFO', 'STREAM', KEYS[1])
          local length, added
          for i = 1, #info, 2 do
            if info[i] == 'length' then
              length = info[i + 1]
            elseif info[i] == 'entries-added' then
              added = info[i + 1]
            end
          end
          if length ~= added then
            return { 0, last, {} }
          end
        elseif #redis.call('XRANGE', KEYS[1], from, from) == 0 then
          return { 0, last, {} }
        end
        return { 1, last, redis.call('XRANGE', KEYS[1], '(' .. from, '+', 'COUNT', ARGV[2]) }
        """;

    /// <summary>
    /// Replaces the positions of a resume key with those of a connection that disconnected, and removes its live
    /// marker. Live markers of other connections stay.
    /// KEYS[1] resume hash. ARGV: TTL in ms, connection id, then group name and offset pairs.
    /// </summary>
    public const string SaveResume = """
        local fields = redis.call('HKEYS', KEYS[1])
        for i = 1, #fields do
          if string.sub(fields[i], 1, 2) == 'g:' then
            redis.call('HDEL', KEYS[1], fields[i])
          end
        end
        redis.call('HDEL', KEYS[1], 'live:' .. ARGV[2])
        redis.call('HSET', KEYS[1], 'c', ARGV[2])
        for i = 3, #ARGV, 2 do
          redis.call('HSET', KEYS[1], 'g:' .. ARGV[i], ARGV[i + 1])
        end
        redis.call('PEXPIRE', KEYS[1], ARGV[1])
        return 1
        """;

    /// <summary>
    /// Marks a connection with a resume key as connected, so that a new connection with the key waits for the old
    /// one to store its positions. KEYS[1] resume hash. ARGV: TTL in ms, connection id.
    /// </summary>
    public const string MarkLive = """
        redis.call('HSET', KEYS[1], 'live:' .. ARGV[2], 1)
        redis.call('PEXPIRE', KEYS[1], ARGV[1])
        return 1
        """;
}
