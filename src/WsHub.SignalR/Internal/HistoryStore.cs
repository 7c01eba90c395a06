using StackExchange.Redis;

namespace WsHub.SignalR.Internal;

/// <summary>
/// The Redis side of history groups: the stream per group and the resume hash per resume key.
/// </summary>
internal sealed class HistoryStore(IDatabase database, RedisNames names, WsHubOptions options)
{
    /// <summary>How many entries one read script returns; a replay reads page after page.</summary>
    public const int PageSize = 200;

    /// <summary>The lifetime of a resume hash: twice the history age, so a late client learns that recovery failed.</summary>
    public long ResumeTtlMilliseconds => (long)(options.HistoryMaxAge.TotalMilliseconds * 2);

    public static RedisValue[] BuildAppendArguments(RedisChannel channel, byte[] prefix, WsHubOptions options)
    {
        return [channel.ToString(), prefix, options.HistoryMaxLength, Math.Max(1, (long)options.HistoryMaxAge.TotalMilliseconds)];
    }

    public static RedisValue[] BuildSaveResumeArguments(
        long ttlMilliseconds,
        string connectionId,
        IReadOnlyList<KeyValuePair<string, StreamOffset>> positions)
    {
        var arguments = new RedisValue[2 + (2 * positions.Count)];
        arguments[0] = ttlMilliseconds;
        arguments[1] = connectionId;
        for (var i = 0; i < positions.Count; i++)
        {
            arguments[2 + (2 * i)] = positions[i].Key;
            arguments[3 + (2 * i)] = positions[i].Value.ToString();
        }

        return arguments;
    }

    public Task AppendAsync(string groupName, byte[] prefix)
    {
        return database.ScriptEvaluateAsync(
            HistoryScripts.Append,
            [names.History(groupName)],
            BuildAppendArguments(names.Group(groupName), prefix, options));
    }

    /// <summary>Reads up to <see cref="PageSize"/> entries after <paramref name="from"/>; null reads only the tail.</summary>
    public async Task<HistoryReadResult> ReadAsync(string groupName, StreamOffset? from)
    {
        var result = await database.ScriptEvaluateAsync(
            HistoryScripts.Read,
            [names.History(groupName)],
            [from?.ToString() ?? string.Empty, PageSize]);
        var parts = (RedisResult[])result!;
        var entries = new List<(StreamOffset, byte[])>();
        foreach (var item in (RedisResult[])parts[2]!)
        {
            var entry = (RedisResult[])item!;
            var fields = (RedisResult[])entry[1]!;
            entries.Add((StreamOffset.Parse((string)entry[0]!), (byte[])fields[1]!));
        }

        return new HistoryReadResult((long)parts[0] == 1, StreamOffset.Parse((string)parts[1]!), entries);
    }

    public Task MarkLiveAsync(string resumeKey, string connectionId)
    {
        return database.ScriptEvaluateAsync(HistoryScripts.MarkLive, [names.Resume(resumeKey)], [ResumeTtlMilliseconds, connectionId]);
    }

    public Task SaveResumeAsync(string resumeKey, string connectionId, IReadOnlyList<KeyValuePair<string, StreamOffset>> positions)
    {
        return database.ScriptEvaluateAsync(
            HistoryScripts.SaveResume,
            [names.Resume(resumeKey)],
            BuildSaveResumeArguments(ResumeTtlMilliseconds, connectionId, positions));
    }

    /// <summary>Removes the live marker of a connection that the registry lists on no instance.</summary>
    public Task RemoveLiveMarkerAsync(string resumeKey, string connectionId)
    {
        return database.HashDeleteAsync(names.Resume(resumeKey), "live:" + connectionId);
    }

    public async Task<ResumeState> LoadResumeAsync(string resumeKey, string connectionId)
    {
        var fields = await database.HashGetAllAsync(names.Resume(resumeKey));
        return ParseResumeState(fields, connectionId);
    }

    public static ResumeState ParseResumeState(HashEntry[] fields, string connectionId)
    {
        string? previous = null;
        var positions = new Dictionary<string, StreamOffset>(StringComparer.Ordinal);
        var otherLive = new List<string>();
        foreach (var field in fields)
        {
            var name = field.Name.ToString();
            if (name == "c")
            {
                previous = field.Value.ToString();
            }
            else if (name.StartsWith("g:", StringComparison.Ordinal) && StreamOffset.TryParse(field.Value.ToString(), out var offset))
            {
                positions[name[2..]] = offset;
            }
            else if (name.StartsWith("live:", StringComparison.Ordinal) && !name.AsSpan(5).SequenceEqual(connectionId))
            {
                otherLive.Add(name[5..]);
            }
        }

        return new ResumeState(previous, positions, otherLive);
    }
}
