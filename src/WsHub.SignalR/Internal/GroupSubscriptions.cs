using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace WsHub.SignalR.Internal;

/// <summary>
/// Local group membership and the lazy Redis subscription of each group's channel. A group's channel is subscribed
/// when its first local member joins and unsubscribed once it has had no local member for the unsubscribe delay,
/// so join and leave churn stays off Redis. Each group has its own lock, so joins to different groups never wait
/// on each other.
/// </summary>
internal sealed class GroupSubscriptions
{
    private readonly ConcurrentDictionary<string, LocalGroup> _groups = new(StringComparer.Ordinal);
    private readonly Func<LocalGroup, Task<ChannelMessageQueue>> _subscribe;
    private readonly TimeSpan _unsubscribeDelay;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    public GroupSubscriptions(
        Func<LocalGroup, Task<ChannelMessageQueue>> subscribe,
        TimeSpan unsubscribeDelay,
        TimeProvider timeProvider,
        ILogger logger)
    {
        _subscribe = subscribe;
        _unsubscribeDelay = unsubscribeDelay;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>The number of groups with local members or a subscription still open.</summary>
    public int Count => _groups.Count;

    public bool TryGet(string groupName, out LocalGroup? group) => _groups.TryGetValue(groupName, out group);

    /// <summary>The groups with local members or a subscription still open, as a snapshot.</summary>
    public LocalGroup[] Snapshot() => _groups.Values.ToArray();

    /// <summary>
    /// Adds a connection to a group and completes once the group's channel is subscribed, so that a message
    /// published after this returns reaches the connection.
    /// </summary>
    public Task AddAsync(HubConnectionContext connection, string groupName)
    {
        while (true)
        {
            var group = _groups.GetOrAdd(groupName, static name => new LocalGroup(name));
            lock (group)
            {
                if (group.Removed)
                {
                    continue;
                }

                group.Members.Add(connection);
                group.Version++;

                // A failed subscribe is retried by the next join rather than reported to every later one.
                if (group.Subscription is null || group.Subscription.IsFaulted)
                {
                    group.Subscription = SubscribeAfterAsync(group, group.Unsubscribed);
                }

                return group.Subscription;
            }
        }
    }

    public void Remove(HubConnectionContext connection, string groupName)
    {
        if (!_groups.TryGetValue(groupName, out var group))
        {
            return;
        }

        int version;
        lock (group)
        {
            group.Members.Remove(connection);
            if (group.Members.Count > 0)
            {
                return;
            }

            version = ++group.Version;
        }

        if (_unsubscribeDelay == TimeSpan.Zero)
        {
            _ = UnsubscribeIfIdleAsync(group, version);
        }
        else
        {
            _ = UnsubscribeLaterAsync(group, version);
        }
    }

    /// <summary>
    /// Subscribes again every group with local members whose subscription failed, after Redis came back.
    /// </summary>
    public Task EnsureSubscribedAsync()
    {
        var pending = new List<Task>();
        foreach (var group in _groups.Values)
        {
            lock (group)
            {
                if (!group.Removed && group.Members.Count > 0 && (group.Subscription is null || group.Subscription.IsFaulted))
                {
                    group.Subscription = SubscribeAfterAsync(group, group.Unsubscribed);
                    pending.Add(group.Subscription);
                }
            }
        }

        return Task.WhenAll(pending);
    }

    /// <summary>The number of group channels subscribed now.</summary>
    public int SubscribedCount => _groups.Values.Count(group => group.Subscription is { IsCompletedSuccessfully: true });

    /// <summary>Unsubscribes every group at once, when the instance stops.</summary>
    public async Task UnsubscribeAllAsync()
    {
        var pending = new List<Task>();
        foreach (var group in _groups.Values)
        {
            Task<ChannelMessageQueue>? subscription;
            lock (group)
            {
                subscription = group.Subscription;
                group.Subscription = null;
                group.Removed = true;
                _groups.TryRemove(new KeyValuePair<string, LocalGroup>(group.Name, group));
            }

            if (subscription is not null)
            {
                pending.Add(UnsubscribeAsync(group.Name, subscription));
            }
        }

        await Task.WhenAll(pending);
    }

    private async Task<ChannelMessageQueue> SubscribeAfterAsync(LocalGroup group, Task previousUnsubscribe)
    {
        await previousUnsubscribe;
        try
        {
            return await _subscribe(group);
        }
        catch (Exception ex)
        {
            WsHubLog.SubscribeFailed(_logger, group.Name, ex);
            throw;
        }
    }

    private async Task UnsubscribeLaterAsync(LocalGroup group, int version)
    {
        await Task.Delay(_unsubscribeDelay, _timeProvider);
        await UnsubscribeIfIdleAsync(group, version);
    }

    private async Task UnsubscribeIfIdleAsync(LocalGroup group, int version)
    {
        Task unsubscribed;
        lock (group)
        {
            if (group.Version != version || group.Members.Count > 0 || group.Removed)
            {
                return;
            }

            if (group.Subscription is null)
            {
                group.Removed = true;
                _groups.TryRemove(new KeyValuePair<string, LocalGroup>(group.Name, group));
                return;
            }

            unsubscribed = UnsubscribeAsync(group.Name, group.Subscription);
            group.Subscription = null;
            group.Unsubscribed = unsubscribed;
        }

        await unsubscribed;

        lock (group)
        {
            // A join during the unsubscribe keeps the group; otherwise it leaves the dictionary.
            if (group.Subscription is null && group.Members.Count == 0 && !group.Removed)
            {
                group.Removed = true;
                _groups.TryRemove(new KeyValuePair<string, LocalGroup>(group.Name, group));
            }
        }
    }

    private async Task UnsubscribeAsync(string groupName, Task<ChannelMessageQueue> subscription)
    {
        try
        {
            var queue = await subscription;
            WsHubLog.Unsubscribing(_logger, queue.Channel.ToString());
            await queue.UnsubscribeAsync();
        }
        catch (Exception ex)
        {
            WsHubLog.UnsubscribeFailed(_logger, groupName, ex);
        }
    }
}
