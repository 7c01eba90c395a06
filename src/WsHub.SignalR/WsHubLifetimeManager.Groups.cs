using Microsoft.AspNetCore.SignalR;
using StackExchange.Redis;
using WsHub.SignalR.Internal;

namespace WsHub.SignalR;

public sealed partial class WsHubLifetimeManager<THub>
{
    /// <inheritdoc />
    /// <remarks>
    /// For a connection on another instance, completes when that instance has applied the change. For a connection
    /// that exists on no instance, completes at once and does nothing.
    /// </remarks>
    public override Task AddToGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default)
    {
        ValidateName(connectionId, nameof(connectionId));
        ValidateName(groupName, nameof(groupName));

        var connection = _connections[connectionId];
        if (connection is not null)
        {
            return AddToLocalGroupAsync(connection, groupName);
        }

        return SendGroupCommandAsync(connectionId, groupName, add: true, cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>
    /// For a connection on another instance, completes when that instance has applied the change. For a connection
    /// that exists on no instance, completes at once and does nothing.
    /// </remarks>
    public override Task RemoveFromGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default)
    {
        ValidateName(connectionId, nameof(connectionId));
        ValidateName(groupName, nameof(groupName));

        var connection = _connections[connectionId];
        if (connection is not null)
        {
            return RemoveFromLocalGroupAsync(connection, groupName);
        }

        return SendGroupCommandAsync(connectionId, groupName, add: false, cancellationToken);
    }

    private async Task AddToLocalGroupAsync(HubConnectionContext connection, string groupName)
    {
        var feature = connection.Features.Get<WsHubConnectionFeature>();
        if (feature is null || !feature.TryAddGroup(groupName))
        {
            return;
        }

        var cursor = BeginHistoryJoin(connection, groupName);
        var subscribed = _groups.AddAsync(connection, groupName);
        if (!_outbox.IsOnline)
        {
            if (cursor is not null)
            {
                ReleaseHistoryJoin(connection, cursor);
            }

            // Local members get the group's messages at once, and the recovery after the outage subscribes the
            // channel and writes the membership to the registry, so the call does not wait for Redis.
            _ = subscribed.ContinueWith(static task => _ = task.Exception, TaskScheduler.Default);
            return;
        }

        var registered = _registry is null
            ? Task.CompletedTask
            : WriteRegistryAsync(connection.ConnectionId, () => _registry.JoinGroupAsync(connection.ConnectionId, groupName));

        try
        {
            await subscribed.WaitAsync(_options.OperationTimeout);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // Redis hangs or the connection broke without an outage being noticed yet. The member gets the group's
            // local messages now, and the heartbeat subscribes the channel again once Redis replies, so the join
            // succeeds as it does during an outage.
            _ = subscribed.ContinueWith(static task => _ = task.Exception, TaskScheduler.Default);
            if (cursor is not null)
            {
                ReleaseHistoryJoin(connection, cursor);
            }

            await registered;
            return;
        }

        await registered;
        if (cursor is not null)
        {
            await RecoverHistoryAsync(connection, groupName, cursor);
        }
    }

    private Task RemoveFromLocalGroupAsync(HubConnectionContext connection, string groupName)
    {
        var feature = connection.Features.Get<WsHubConnectionFeature>();
        if (feature is null || !feature.RemoveGroup(groupName))
        {
            return Task.CompletedTask;
        }

        _groups.Remove(connection, groupName);
        EndHistoryMembership(connection, groupName);
        if (_registry is not null && _outbox.IsOnline)
        {
            return WriteRegistryAsync(connection.ConnectionId, () => _registry.LeaveGroupAsync(connection.ConnectionId, groupName));
        }

        return Task.CompletedTask;
    }

    private async Task SendGroupCommandAsync(string connectionId, string groupName, bool add, CancellationToken cancellationToken)
    {
        var registry = await GetRegistryAsync();
        var (commandId, acknowledged) = _acks.Create();
        try
        {
            var payload = EnvelopeCodec.WriteGroupCommand(_instanceId, commandId, connectionId, groupName, add);
            var holders = await registry.RouteToConnectionsAsync([connectionId], payload).WaitAsync(_options.OperationTimeout, cancellationToken);
            var holder = holders[0];
            if (holder is null || holder == _instanceId)
            {
                // The connection exists nowhere, or disconnected from this instance a moment ago.
                return;
            }

            try
            {
                await acknowledged.WaitAsync(_options.OperationTimeout, cancellationToken);
            }
            catch (TimeoutException)
            {
                var action = add ? "adding" : "removing";
                var preposition = add ? "to" : "from";
                throw new TimeoutException(
                    $"Instance '{holder}' did not acknowledge {action} connection '{connectionId}' {preposition} group '{groupName}' "
                    + $"within {_options.OperationTimeout.TotalSeconds:0.###} s (WsHubOptions.OperationTimeout).");
            }
        }
        finally
        {
            _acks.Remove(commandId);
        }
    }

    private async Task ApplyGroupCommandAsync(BackplaneEnvelope envelope)
    {
        var connectionId = envelope.ConnectionId!;
        var groupName = envelope.GroupName!;
        try
        {
            var connection = _connections[connectionId];
            if (connection is not null)
            {
                if (envelope.AddToGroup)
                {
                    await AddToLocalGroupAsync(connection, groupName);
                }
                else
                {
                    await RemoveFromLocalGroupAsync(connection, groupName);
                }
            }

            // The acknowledgement goes out also when the connection has just left, so the sender never waits for nothing.
            await PublishAsync(_names.Instance(envelope.Origin), EnvelopeCodec.WriteGroupAck(_instanceId, envelope.CommandId));
        }
        catch (Exception ex)
        {
            WsHubLog.GroupCommandFailed(_logger, envelope.Origin, connectionId, groupName, ex);
        }
    }
}
