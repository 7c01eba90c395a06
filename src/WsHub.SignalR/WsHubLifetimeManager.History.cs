using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using StackExchange.Redis;
using WsHub.SignalR.Internal;

namespace WsHub.SignalR;

public sealed partial class WsHubLifetimeManager<THub>
{
    /// <summary>The client method that a connection receives with a group name when its history cannot be replayed.</summary>
    public const string RecoveryFailedMethod = "WsHubRecoveryFailed";

    private static readonly TimeSpan ResumeWaitInterval = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan TakeoverGrace = TimeSpan.FromSeconds(1);

    private HistoryStore? _historyStore;

    private HistoryStore HistoryStore => _historyStore ??= new HistoryStore(_registry!.Database, _names, _options);

    private bool IsHistoryGroup(string groupName) => _options.HistoryGroupFilter is { } filter && filter(groupName);

    /// <summary>Gives a connection its history state and marks its resume key as connected.</summary>
    private void AttachHistory(HubConnectionContext connection, bool registered)
    {
        if (_options.HistoryGroupFilter is null)
        {
            return;
        }

        var resumeKey = _options.ResumeKeySelector(connection);
        if (resumeKey is not null && (resumeKey.Length == 0 || resumeKey.Length > _options.MaxNameLength))
        {
            WsHubLog.ResumeKeyIgnored(_logger, connection.ConnectionId, resumeKey.Length, _options.MaxNameLength);
            resumeKey = null;
        }

        connection.Features.Set(new HistoryConnectionFeature(resumeKey));
        if (resumeKey is not null && registered)
        {
            UpdateRegistry(connection.ConnectionId, () => HistoryStore.MarkLiveAsync(resumeKey, connection.ConnectionId));
        }
    }

    /// <summary>Stores where a disconnecting connection stopped in each history group, for its resume key.</summary>
    /// <remarks>
    /// NOTE: a position counts every message written to the connection. Messages written while the client closes
    /// the connection itself, or while its network breaks, can be lost without a notice.
    /// </remarks>
    private void SaveResumePositions(HubConnectionContext connection)
    {
        if (connection.Features.Get<HistoryConnectionFeature>() is not { ResumeKey: { } resumeKey } feature || _registry is null)
        {
            return;
        }

        var positions = new List<KeyValuePair<string, StreamOffset>>();
        foreach (var (groupName, cursor) in feature.Cursors)
        {
            lock (cursor)
            {
                if (cursor.Last is { } last)
                {
                    positions.Add(new(groupName, last));
                }
            }
        }

        UpdateRegistry(connection.ConnectionId, () => HistoryStore.SaveResumeAsync(resumeKey, connection.ConnectionId, positions));
    }

    /// <summary>
    /// Creates the cursor of a connection that joins a history group, before it becomes a member, so that live
    /// messages wait until <see cref="RecoverHistoryAsync"/> has written the replay. Null for other groups.
    /// </summary>
    private HistoryCursor? BeginHistoryJoin(HubConnectionContext connection, string groupName)
    {
        if (!IsHistoryGroup(groupName) || connection.Features.Get<HistoryConnectionFeature>() is not { } feature)
        {
            return null;
        }

        var cursor = new HistoryCursor();
        feature.Cursors[groupName] = cursor;
        return cursor;
    }

    private static void EndHistoryMembership(HubConnectionContext connection, string groupName)
    {
        if (connection.Features.Get<HistoryConnectionFeature>() is not { } feature)
        {
            return;
        }

        // Hubs often leave their groups in OnDisconnectedAsync, which SignalR runs after aborting the connection. That
        // leave ends the connection, not the client's interest, so the position stays and is stored for the resume key.
        if (connection.ConnectionAborted.IsCancellationRequested && feature.Cursors.TryGetValue(groupName, out var cursor))
        {
            lock (cursor)
            {
                cursor.Closed = true;
            }

            return;
        }

        feature.Cursors.TryRemove(groupName, out _);
    }

    /// <summary>
    /// Replays what a joining connection missed since its resume position, then the live messages held meanwhile,
    /// then switches it to live. The group's channel is subscribed before the stream is read, so every entry after
    /// the read arrives live, and offsets remove the entries that arrive both ways.
    /// </summary>
    private async Task RecoverHistoryAsync(HubConnectionContext connection, string groupName, HistoryCursor cursor)
    {
        var feature = connection.Features.Get<HistoryConnectionFeature>()!;
        var replay = new List<HistoryEntry>();
        var failed = false;
        StreamOffset? position = null;
        string? previousConnectionId = null;
        try
        {
            StreamOffset? from = null;
            if (feature.ResumeKey is { } resumeKey)
            {
                var state = await feature.GetResumeStateAsync(() => LoadResumeStateAsync(resumeKey, connection.ConnectionId));
                previousConnectionId = state.PreviousConnectionId;
                if (state.OtherConnectionLive)
                {
                    // The previous connection never stored where it stopped, so its position is unknown.
                    failed = true;
                }
                else if (state.Positions.TryGetValue(groupName, out var stored) && feature.TryTakeStoredPosition(groupName))
                {
                    from = stored;
                }
            }

            var read = await HistoryStore.ReadAsync(groupName, from).WaitAsync(_options.OperationTimeout);
            position = read.Tail;
            if (from is { } start && read.Complete)
            {
                position = start;
                var page = read.Entries;
                while (true)
                {
                    foreach (var (offset, prefix) in page)
                    {
                        replay.Add(new HistoryEntry(offset, EnvelopeCodec.Read(EnvelopeCodec.AppendOffset(prefix, offset.ToString()))));
                    }

                    if (page.Count < HistoryStore.PageSize)
                    {
                        break;
                    }

                    read = await HistoryStore.ReadAsync(groupName, page[^1].Offset).WaitAsync(_options.OperationTimeout);
                    if (!read.Complete)
                    {
                        // The stream was trimmed past the replay while it was read.
                        failed = true;
                        replay.Clear();
                        position = read.Tail;
                        break;
                    }

                    page = read.Entries;
                }
            }
            else if (from is not null)
            {
                failed = true;
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or EnvelopeFormatException or FormatException)
        {
            WsHubLog.HistoryRecoveryFailed(_logger, connection.ConnectionId, groupName, ex);
            failed = feature.ResumeKey is not null;
            replay.Clear();
        }

        lock (cursor)
        {
            if (failed)
            {
                WsHubLog.HistoryRecoveryImpossible(_logger, connection.ConnectionId, groupName);
                WriteWithoutWaiting(connection, new InvocationMessage(RecoveryFailedMethod, [groupName]));
            }

            cursor.Last = position;
            foreach (var entry in replay)
            {
                WriteHistoryEntry(connection, cursor, entry, previousConnectionId);
            }

            var pending = cursor.Pending ?? [];
            cursor.Pending = null;
            foreach (var entry in pending)
            {
                WriteHistoryEntry(connection, cursor, entry, previousConnectionId);
            }
        }
    }

    /// <summary>
    /// Lets live messages through to a connection whose join could not read the stream, because Redis was
    /// unreachable or the subscribe failed. The connection has no position until its first message.
    /// </summary>
    private void ReleaseHistoryJoin(HubConnectionContext connection, HistoryCursor cursor)
    {
        lock (cursor)
        {
            var pending = cursor.Pending ?? [];
            cursor.Pending = null;
            foreach (var entry in pending)
            {
                WriteHistoryEntry(connection, cursor, entry, excludedAlso: null);
            }
        }
    }

    /// <summary>
    /// Loads the positions of a resume key once its previous connection has stored them. A client often reconnects
    /// before the server noticed that its old connection is gone, or before that disconnect has run. This instance
    /// therefore sends a takeover request for each older connection with the key to the instance that has it, and
    /// waits until they have all stored their positions, for at most <see cref="WsHubOptions.OperationTimeout"/>.
    /// </summary>
    private async Task<ResumeState> LoadResumeStateAsync(string resumeKey, string connectionId)
    {
        var started = _timeProvider.GetTimestamp();
        var state = await HistoryStore.LoadResumeAsync(resumeKey, connectionId).WaitAsync(_options.OperationTimeout);
        if (!state.OtherConnectionLive)
        {
            return state;
        }

        var stale = 0;
        foreach (var otherId in state.OtherLiveConnections)
        {
            if (_connections[otherId] is not null)
            {
                AbortForTakeover(otherId);
                continue;
            }

            var payload = EnvelopeCodec.WriteResumeTakeover(_instanceId, otherId);
            var holders = await _registry!.RouteToConnectionsAsync([otherId], payload).WaitAsync(_options.OperationTimeout);
            if (holders[0] is null)
            {
                // The registry lists the connection on no instance, because its instance died before it stored its positions.
                await HistoryStore.RemoveLiveMarkerAsync(resumeKey, otherId).WaitAsync(_options.OperationTimeout);
                stale++;
            }
        }

        if (stale == state.OtherLiveConnections.Count)
        {
            return state;
        }

        while (_timeProvider.GetElapsedTime(started) < _options.OperationTimeout)
        {
            await Task.Delay(ResumeWaitInterval, _timeProvider);
            state = await HistoryStore.LoadResumeAsync(resumeKey, connectionId).WaitAsync(_options.OperationTimeout);
            if (!state.OtherConnectionLive)
            {
                return state;
            }
        }

        return state;
    }

    /// <summary>
    /// Closes an older connection with the same resume key. The close message follows every message written before
    /// it, so the client reads them all. An abort would drop the messages that wait to be sent, so the connection is
    /// aborted only when the client has not closed it within a second, because its network is gone.
    /// </summary>
    private void AbortForTakeover(string connectionId)
    {
        if (_connections[connectionId] is not { } connection)
        {
            return;
        }

        WsHubLog.ResumeTakeover(_logger, connectionId);
        StopHistoryCursors(connection);
        WriteWithoutWaiting(connection, new CloseMessage("A newer connection with the same resume key took over.", allowReconnect: false));
        _ = AbortTakenOverAfterGraceAsync(connection);
    }

    /// <summary>
    /// Stops writing history messages to a connection that is being closed, before its close message is written, so
    /// that its stored positions match what a client that reads up to the close message received.
    /// </summary>
    private static void StopHistoryCursors(HubConnectionContext connection)
    {
        if (connection.Features.Get<HistoryConnectionFeature>() is not { } feature)
        {
            return;
        }

        foreach (var cursor in feature.Cursors.Values)
        {
            lock (cursor)
            {
                cursor.Closed = true;
            }
        }
    }

    private async Task AbortTakenOverAfterGraceAsync(HubConnectionContext connection)
    {
        var grace = TimeSpan.FromTicks(Math.Min(TakeoverGrace.Ticks, _options.OperationTimeout.Ticks / 2));
        try
        {
            await Task.Delay(grace, _timeProvider, connection.ConnectionAborted);
        }
        catch (OperationCanceledException)
        {
            // The client closed the connection itself.
            return;
        }

        connection.Abort();
    }

    private Task SendHistoryGroupAsync(string groupName, OutgoingMessage message, IReadOnlyList<string>? excludedConnectionIds)
    {
        // Local members receive the message from the Redis echo, like every other instance, because the offset that
        // keeps a resumed connection free of gaps and duplicates exists only once the script has run.
        var prefix = EnvelopeCodec.WriteHistoryPrefix(_instanceId, excludedConnectionIds, message.Messages);
        return RouteAsync(prefix, _ => HistoryStore.AppendAsync(groupName, prefix));
    }

    private void OnHistoryBroadcast(ChannelMessage channelMessage, LocalGroup group)
    {
        var envelope = TryReadEnvelope(channelMessage, skipOwn: false);
        if (envelope is null)
        {
            return;
        }

        try
        {
            if (envelope.Kind == EnvelopeKind.Broadcast)
            {
                // An instance that does not treat the group as a history group delivered to its own members already.
                if (!string.Equals(envelope.Origin, _instanceId, StringComparison.Ordinal))
                {
                    WriteToMembers(group.Members, new OutgoingMessage(envelope.Messages!), envelope.Targets);
                }

                return;
            }

            if (envelope.Kind != EnvelopeKind.HistoryBroadcast || !StreamOffset.TryParse(envelope.Offset, out var offset))
            {
                var reason = $"A {envelope.Kind} envelope without a valid offset arrived on a history group channel.";
                DropInvalid(channelMessage, new EnvelopeFormatException(reason));
                return;
            }

            var state = group.GetOrCreateHistory();
            lock (state)
            {
                if (state.Held is { } held)
                {
                    held.Add(new HistoryEntry(offset, envelope));
                    return;
                }

                DeliverToGroupLocked(group, state, new HistoryEntry(offset, envelope));
            }
        }
        catch (Exception ex)
        {
            // An exception must never reach StackExchange.Redis, or the channel would stop delivering.
            WsHubLog.ReceiveFailed(_logger, channelMessage.Channel.ToString(), ex);
        }
    }

    /// <summary>Delivers one entry to the group's local members unless the instance has delivered it already.</summary>
    private void DeliverToGroupLocked(LocalGroup group, HistoryGroupState state, HistoryEntry entry)
    {
        if (state.Last is { } last && entry.Offset <= last)
        {
            return;
        }

        state.Last = entry.Offset;
        foreach (var connection in group.Members)
        {
            if (connection.Features.Get<HistoryConnectionFeature>()?.Cursors.TryGetValue(group.Name, out var cursor) == true)
            {
                lock (cursor)
                {
                    if (cursor.Pending is { } pending)
                    {
                        pending.Add(entry);
                        continue;
                    }

                    WriteHistoryEntry(connection, cursor, entry, excludedAlso: null);
                }
            }
            else if (entry.Envelope.Targets is null || !Contains(entry.Envelope.Targets, connection.ConnectionId))
            {
                WriteWithoutWaiting(connection, entry.Message);
            }
        }
    }

    /// <summary>Writes an entry past the cursor and moves the cursor. The caller must hold the cursor's lock.</summary>
    private void WriteHistoryEntry(HubConnectionContext connection, HistoryCursor cursor, HistoryEntry entry, string? excludedAlso)
    {
        // A closing connection may never send what is written now, so its position stays where it is and the
        // entry is replayed when the client resumes.
        if ((cursor.Last is { } last && entry.Offset <= last) || cursor.Closed || connection.ConnectionAborted.IsCancellationRequested)
        {
            return;
        }

        cursor.Last = entry.Offset;
        var targets = entry.Envelope.Targets;
        if (targets is not null
            && (Contains(targets, connection.ConnectionId) || (excludedAlso is not null && Contains(targets, excludedAlso))))
        {
            return;
        }

        WriteWithoutWaiting(connection, entry.Message);
    }

    /// <summary>
    /// Holds the live messages of every history group that has received one, because the outage may have lost
    /// messages that the catch-up after it reads from the streams.
    /// </summary>
    private void HoldHistoryGroups()
    {
        if (_options.HistoryGroupFilter is null)
        {
            return;
        }

        foreach (var group in _groups.Snapshot())
        {
            if (group.History is not { } state)
            {
                continue;
            }

            lock (state)
            {
                if (state.Last is not null)
                {
                    state.Held ??= [];
                }
            }
        }
    }

    /// <summary>
    /// Delivers what each held history group missed during the outage, from its stream, then the messages held
    /// since, and switches it back to live. A group whose stream no longer covers the outage sends
    /// <see cref="RecoveryFailedMethod"/> to its local members.
    /// </summary>
    private async Task CatchUpHistoryAsync()
    {
        if (_options.HistoryGroupFilter is null)
        {
            return;
        }

        foreach (var group in _groups.Snapshot())
        {
            if (group.History is not { } state)
            {
                continue;
            }

            StreamOffset from;
            lock (state)
            {
                if (state.Held is null || state.Last is not { } last)
                {
                    continue;
                }

                from = last;
            }

            var missed = new List<HistoryEntry>();
            var complete = true;
            while (true)
            {
                var read = await HistoryStore.ReadAsync(group.Name, from).WaitAsync(_options.OperationTimeout);
                if (!read.Complete)
                {
                    complete = false;
                    break;
                }

                foreach (var (offset, prefix) in read.Entries)
                {
                    missed.Add(new HistoryEntry(offset, EnvelopeCodec.Read(EnvelopeCodec.AppendOffset(prefix, offset.ToString()))));
                }

                if (read.Entries.Count < HistoryStore.PageSize)
                {
                    break;
                }

                from = read.Entries[^1].Offset;
            }

            lock (state)
            {
                if (!complete)
                {
                    WsHubLog.HistoryCatchUpImpossible(_logger, group.Name);
                    foreach (var connection in group.Members)
                    {
                        WriteWithoutWaiting(connection, new InvocationMessage(RecoveryFailedMethod, [group.Name]));
                    }
                }

                foreach (var entry in missed)
                {
                    DeliverToGroupLocked(group, state, entry);
                }

                var held = state.Held ?? [];
                state.Held = null;
                foreach (var entry in held)
                {
                    DeliverToGroupLocked(group, state, entry);
                }
            }

            if (missed.Count > 0)
            {
                WsHubLog.HistoryCaughtUp(_logger, group.Name, missed.Count);
            }
        }
    }
}
