using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WsHub.SignalR.Internal;

namespace WsHub.SignalR;

/// <summary>
/// A <see cref="HubLifetimeManager{THub}"/> that scales SignalR out over Redis. Local targets are written directly;
/// broadcasts go through the <c>all</c> channel and one channel per group that has local members; messages for
/// particular connections and users, group commands and client results go to the channel of the instance that holds
/// the target, found through a registry in Redis.
/// </summary>
/// <typeparam name="THub">The hub type.</typeparam>
public sealed partial class WsHubLifetimeManager<THub> : HubLifetimeManager<THub>, IAsyncDisposable, IDisposable, IWsHubInstance
    where THub : Hub
{
    private readonly WsHubOptions _options;
    private readonly ILogger _logger;
    private readonly IServiceProvider _services;
    private readonly TimeProvider _timeProvider;
    private readonly IHubProtocolResolver _protocolResolver;
    private readonly IReadOnlyList<IHubProtocol> _protocols;
    private readonly RedisNames _names;
    private readonly string _instanceId;
    private readonly byte[] _instanceIdUtf8;
    private readonly DateTimeOffset _startedAt;
    private readonly HubConnectionStore _connections = new();
    private readonly ConcurrentDictionary<string, LocalUser> _users = new(StringComparer.Ordinal);
    private readonly GroupSubscriptions _groups;
    private readonly PendingAcks _acks = new();
    private readonly ClientResultTracker _results = new();
    private readonly string _invocationIdPrefix = Guid.NewGuid().ToString("N")[..12] + ":";
    private long _lastInvocationId;
    private long _invalidEnvelopeCount;
    private readonly WsHubMetrics _metrics;
    private readonly Outbox _outbox;

    /// <summary>
    /// Creates the manager. Dependency injection calls this; apps use <c>AddWsHubBackplane</c> instead.
    /// </summary>
    public WsHubLifetimeManager(
        ILogger<WsHubLifetimeManager<THub>> logger,
        IOptions<WsHubOptions> options,
        IHubProtocolResolver protocolResolver,
        IOptions<HubOptions> globalHubOptions,
        IOptions<HubOptions<THub>> hubOptions,
        IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(protocolResolver);
        ArgumentNullException.ThrowIfNull(globalHubOptions);
        ArgumentNullException.ThrowIfNull(hubOptions);
        ArgumentNullException.ThrowIfNull(services);

        _logger = logger;
        _options = options.Value;
        _services = services;
        _timeProvider = services.GetService<TimeProvider>() ?? TimeProvider.System;
        _protocolResolver = protocolResolver;
        _protocols = SelectProtocols(protocolResolver, hubOptions.Value.SupportedProtocols ?? globalHubOptions.Value.SupportedProtocols);
        _names = new RedisNames(_options.ChannelPrefix, typeof(THub).FullName ?? typeof(THub).Name);
        _instanceId = $"{Environment.MachineName}_{Guid.NewGuid():N}";
        _instanceIdUtf8 = System.Text.Encoding.UTF8.GetBytes(_instanceId);
        _startedAt = _timeProvider.GetUtcNow();
        _groups = new GroupSubscriptions(SubscribeToGroupAsync, _options.UnsubscribeDelay, _timeProvider, _logger);
        var catalog = services.GetService<WsHubManagerCatalog>();
        _metrics = services.GetService<WsHubMetrics>() ?? new WsHubMetrics(catalog ?? new WsHubManagerCatalog());
        _outbox = new Outbox(_options, _timeProvider, _metrics, _logger, EnterOutage);
        catalog?.Add(this);
    }

    /// <summary>The id of this instance in the registry and in its Redis channel name.</summary>
    public string InstanceId => _instanceId;

    int IWsHubInstance.ConnectionCount => _connections.Count;

    int IWsHubInstance.GroupCount => _groups.Count;

    int IWsHubInstance.SubscribedChannelCount =>
        _groups.SubscribedCount + (_allSubscription is null ? 0 : 1) + (_instanceSubscription is null ? 0 : 1);

    bool IWsHubInstance.IsOnline => _outbox.IsOnline;

    int IWsHubInstance.BufferedMessageCount => _outbox.BufferedCount;

    bool IWsHubInstance.IsBufferFull => _outbox.IsFull;

    /// <inheritdoc />
    public override async Task OnConnectedAsync(HubConnectionContext connection)
    {
        ArgumentNullException.ThrowIfNull(connection);

        if (Volatile.Read(ref _draining) == 1)
        {
            // A draining instance sends newcomers on to the other instances, and aborts those that do not leave.
            CloseForReconnect(connection);
            _ = AbortAfterGraceAsync(connection);
            return;
        }

        connection.Features.Set(new WsHubConnectionFeature());
        _connections.Add(connection);
        if (connection.UserIdentifier is { } userId)
        {
            AddLocalUser(userId, connection);
        }

        // A connection works locally even while Redis is away; the registry catches up on the next heartbeat.
        var registered = await TryEnsureStartedAsync();
        if (registered)
        {
            await WriteRegistryAsync(connection.ConnectionId, () => _registry!.RegisterConnectionAsync(connection.ConnectionId, connection.UserIdentifier));
        }

        AttachHistory(connection, registered);
    }

    /// <inheritdoc />
    public override Task OnDisconnectedAsync(HubConnectionContext connection)
    {
        ArgumentNullException.ThrowIfNull(connection);

        _connections.Remove(connection);
        if (connection.UserIdentifier is { } userId)
        {
            RemoveLocalUser(userId, connection);
        }

        SaveResumePositions(connection);

        if (connection.Features.Get<WsHubConnectionFeature>() is { } feature)
        {
            foreach (var groupName in feature.TakeGroups())
            {
                _groups.Remove(connection, groupName);
            }
        }

        _results.FailConnection(connection.ConnectionId);

        if (_registry is not null)
        {
            UpdateRegistry(connection.ConnectionId, () => _registry.UnregisterConnectionAsync(connection.ConnectionId, connection.UserIdentifier));
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public override Task SendAllAsync(string methodName, object?[] args, CancellationToken cancellationToken = default)
    {
        return SendAllCoreAsync(methodName, args, excludedConnectionIds: null);
    }

    /// <inheritdoc />
    public override Task SendAllExceptAsync(
        string methodName,
        object?[] args,
        IReadOnlyList<string> excludedConnectionIds,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(excludedConnectionIds);

        return SendAllCoreAsync(methodName, args, excludedConnectionIds);
    }

    /// <inheritdoc />
    public override Task SendConnectionAsync(string connectionId, string methodName, object?[] args, CancellationToken cancellationToken = default)
    {
        ValidateName(connectionId, nameof(connectionId));

        var connection = _connections[connectionId];
        if (connection is not null)
        {
            // A local write is awaited, so its failure reaches the caller as it does without a backplane.
            return connection.WriteAsync(CreateLocalMessage(connection, methodName, args), cancellationToken).AsTask();
        }

        return SendToRemoteConnectionsAsync([connectionId], methodName, args);
    }

    /// <inheritdoc />
    public override Task SendConnectionsAsync(
        IReadOnlyList<string> connectionIds,
        string methodName,
        object?[] args,
        CancellationToken cancellationToken = default)
    {
        ValidateNames(connectionIds, nameof(connectionIds));

        var message = CreateMessage(methodName, args);
        List<string>? remote = null;
        foreach (var connectionId in connectionIds)
        {
            var connection = _connections[connectionId];
            if (connection is not null)
            {
                WriteWithoutWaiting(connection, message);
            }
            else
            {
                (remote ??= []).Add(connectionId);
            }
        }

        return remote is null ? Task.CompletedTask : RouteToConnectionsAsync(remote, message);
    }

    /// <inheritdoc />
    public override Task SendGroupAsync(string groupName, string methodName, object?[] args, CancellationToken cancellationToken = default)
    {
        ValidateName(groupName, nameof(groupName));

        return SendGroupCoreAsync(groupName, CreateMessage(methodName, args), excludedConnectionIds: null);
    }

    /// <inheritdoc />
    public override Task SendGroupsAsync(
        IReadOnlyList<string> groupNames,
        string methodName,
        object?[] args,
        CancellationToken cancellationToken = default)
    {
        ValidateNames(groupNames, nameof(groupNames));

        var message = CreateMessage(methodName, args);
        var sends = new Task[groupNames.Count];
        for (var i = 0; i < groupNames.Count; i++)
        {
            sends[i] = SendGroupCoreAsync(groupNames[i], message, excludedConnectionIds: null);
        }

        return Task.WhenAll(sends);
    }

    /// <inheritdoc />
    public override Task SendGroupExceptAsync(
        string groupName,
        string methodName,
        object?[] args,
        IReadOnlyList<string> excludedConnectionIds,
        CancellationToken cancellationToken = default)
    {
        ValidateName(groupName, nameof(groupName));
        ArgumentNullException.ThrowIfNull(excludedConnectionIds);

        return SendGroupCoreAsync(groupName, CreateMessage(methodName, args), excludedConnectionIds);
    }

    /// <inheritdoc />
    public override Task SendUserAsync(string userId, string methodName, object?[] args, CancellationToken cancellationToken = default)
    {
        ValidateName(userId, nameof(userId));

        return SendUsersCoreAsync([userId], CreateMessage(methodName, args));
    }

    /// <inheritdoc />
    public override Task SendUsersAsync(
        IReadOnlyList<string> userIds,
        string methodName,
        object?[] args,
        CancellationToken cancellationToken = default)
    {
        ValidateNames(userIds, nameof(userIds));

        return userIds.Count == 0 ? Task.CompletedTask : SendUsersCoreAsync(userIds, CreateMessage(methodName, args));
    }

    private async Task SendAllCoreAsync(string methodName, object?[] args, IReadOnlyList<string>? excludedConnectionIds)
    {
        var message = CreateMessage(methodName, args);
        WriteToMembers(_connections, message, excludedConnectionIds);
        await PublishAsync(_names.All, EnvelopeCodec.WriteBroadcast(_instanceId, excludedConnectionIds, message.Messages));
    }

    private async Task SendGroupCoreAsync(string groupName, OutgoingMessage message, IReadOnlyList<string>? excludedConnectionIds)
    {
        if (IsHistoryGroup(groupName))
        {
            await SendHistoryGroupAsync(groupName, message, excludedConnectionIds);
            return;
        }

        if (_groups.TryGet(groupName, out var group))
        {
            WriteToMembers(group!.Members, message, excludedConnectionIds);
        }

        await PublishAsync(_names.Group(groupName), EnvelopeCodec.WriteBroadcast(_instanceId, excludedConnectionIds, message.Messages));
    }

    private async Task SendUsersCoreAsync(IReadOnlyList<string> userIds, OutgoingMessage message)
    {
        foreach (var userId in userIds)
        {
            if (_users.TryGetValue(userId, out var user))
            {
                WriteToMembers(user.Connections, message, excludedConnectionIds: null);
            }
        }

        var payload = EnvelopeCodec.WriteTargeted(EnvelopeKind.Users, _instanceId, userIds, message.Messages);
        await RouteAsync(payload, registry => registry.RouteToUsersAsync(userIds, payload));
    }

    private Task SendToRemoteConnectionsAsync(IReadOnlyList<string> connectionIds, string methodName, object?[] args)
    {
        return RouteToConnectionsAsync(connectionIds, CreateMessage(methodName, args));
    }

    private async Task RouteToConnectionsAsync(IReadOnlyList<string> connectionIds, OutgoingMessage message)
    {
        var payload = EnvelopeCodec.WriteTargeted(EnvelopeKind.Connections, _instanceId, connectionIds, message.Messages);
        await RouteAsync(payload, registry => registry.RouteToConnectionsAsync(connectionIds, payload));
    }

    private void AddLocalUser(string userId, HubConnectionContext connection)
    {
        while (true)
        {
            var user = _users.GetOrAdd(userId, static _ => new LocalUser());
            lock (user)
            {
                if (user.Removed)
                {
                    continue;
                }

                user.Connections.Add(connection);
                return;
            }
        }
    }

    private void RemoveLocalUser(string userId, HubConnectionContext connection)
    {
        if (!_users.TryGetValue(userId, out var user))
        {
            return;
        }

        lock (user)
        {
            user.Connections.Remove(connection);
            if (user.Connections.Count == 0)
            {
                user.Removed = true;
                _users.TryRemove(new KeyValuePair<string, LocalUser>(userId, user));
            }
        }
    }

    private static IReadOnlyList<IHubProtocol> SelectProtocols(IHubProtocolResolver resolver, IList<string>? supportedProtocols)
    {
        var protocols = resolver.AllProtocols
            .Where(protocol => supportedProtocols is null || supportedProtocols.Contains(protocol.Name, StringComparer.OrdinalIgnoreCase))
            .ToArray();
        return protocols.Length > 0 ? protocols : resolver.AllProtocols.ToArray();
    }
}
