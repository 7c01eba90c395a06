using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using WsHub.SignalR.Internal;

namespace WsHub.SignalR;

public sealed partial class WsHubLifetimeManager<THub>
{
    private OutgoingMessage CreateMessage(string methodName, object?[] args)
    {
        ArgumentNullException.ThrowIfNull(methodName);

        return CreateMessage(new InvocationMessage(methodName, args));
    }

    private OutgoingMessage CreateMessage(HubMessage hubMessage)
    {
        var messages = new SerializedMessage[_protocols.Count];
        for (var i = 0; i < _protocols.Count; i++)
        {
            var bytes = _protocols[i].GetMessageBytes(hubMessage);
            ThrowIfTooLarge(bytes.Length, _protocols[i].Name);

            messages[i] = new SerializedMessage(_protocols[i].Name, bytes);
        }

        return new OutgoingMessage(messages);
    }

    /// <summary>Serialises a message for one local connection only, in its protocol, and checks its size.</summary>
    private SerializedHubMessage CreateLocalMessage(HubConnectionContext connection, string methodName, object?[] args)
    {
        ArgumentNullException.ThrowIfNull(methodName);

        var protocol = connection.Protocol;
        var bytes = protocol.GetMessageBytes(new InvocationMessage(methodName, args));
        ThrowIfTooLarge(bytes.Length, protocol.Name);
        return new SerializedHubMessage([new SerializedMessage(protocol.Name, bytes)]);
    }

    private void ThrowIfTooLarge(int length, string protocolName)
    {
        if (length > _options.MaxMessageSize)
        {
            throw new InvalidOperationException(
                $"The message is {length} bytes in hub protocol '{protocolName}', more than the maximum of "
                + $"{_options.MaxMessageSize} bytes (WsHubOptions.MaxMessageSize). Nothing was sent.");
        }
    }

    private void ValidateName(string name, string parameterName)
    {
        ArgumentException.ThrowIfNullOrEmpty(name, parameterName);
        if (name.Length > _options.MaxNameLength)
        {
            throw new ArgumentException(
                $"The name is {name.Length} characters long, more than the maximum of {_options.MaxNameLength} (WsHubOptions.MaxNameLength).",
                parameterName);
        }
    }

    private void ValidateNames(IReadOnlyList<string> names, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(names, parameterName);
        foreach (var name in names)
        {
            ValidateName(name, parameterName);
        }
    }

    private void WriteToMembers(HubConnectionStore members, OutgoingMessage message, IReadOnlyList<string>? excludedConnectionIds)
    {
        foreach (var connection in members)
        {
            if (excludedConnectionIds is not null && Contains(excludedConnectionIds, connection.ConnectionId))
            {
                continue;
            }

            WriteWithoutWaiting(connection, message);
        }
    }

    /// <summary>
    /// Starts a write and returns without waiting for it, so one slow or failing connection never holds up the
    /// others or the loop that reads from Redis. A connection whose unwritten bytes pass
    /// <see cref="WsHubOptions.MaxConnectionBacklogBytes"/> has stopped reading and is aborted.
    /// </summary>
    private void WriteWithoutWaiting(HubConnectionContext connection, OutgoingMessage message)
    {
        ValueTask write;
        try
        {
            write = connection.WriteAsync(message.Hub);
        }
        catch (Exception ex)
        {
            WsHubLog.WriteFailed(_logger, connection.ConnectionId, ex);
            return;
        }

        _metrics.Delivered.Add(1);
        if (write.IsCompletedSuccessfully)
        {
            return;
        }

        var feature = connection.Features.Get<WsHubConnectionFeature>();
        if (feature is null)
        {
            _ = ObserveWriteAsync(write, connection.ConnectionId);
            return;
        }

        var backlog = feature.AddBacklog(message.Size);
        if (backlog > _options.MaxConnectionBacklogBytes && feature.TryMarkAborted())
        {
            WsHubLog.SlowConnectionAborted(_logger, connection.ConnectionId, backlog);
            _metrics.ConnectionsAborted.Add(1, new KeyValuePair<string, object?>("reason", "slow_client"));
            connection.Abort();
        }

        _ = ObserveBackloggedWriteAsync(write, connection.ConnectionId, feature, message.Size);
    }

    private void WriteWithoutWaiting(HubConnectionContext connection, HubMessage message)
    {
        ValueTask write;
        try
        {
            write = connection.WriteAsync(message);
        }
        catch (Exception ex)
        {
            WsHubLog.WriteFailed(_logger, connection.ConnectionId, ex);
            return;
        }

        if (!write.IsCompletedSuccessfully)
        {
            _ = ObserveWriteAsync(write, connection.ConnectionId);
        }
    }

    private async Task ObserveWriteAsync(ValueTask write, string connectionId)
    {
        try
        {
            await write;
        }
        catch (Exception ex)
        {
            WsHubLog.WriteFailed(_logger, connectionId, ex);
        }
    }

    private async Task ObserveBackloggedWriteAsync(ValueTask write, string connectionId, WsHubConnectionFeature feature, int size)
    {
        try
        {
            await write;
        }
        catch (Exception ex)
        {
            WsHubLog.WriteFailed(_logger, connectionId, ex);
        }
        finally
        {
            feature.AddBacklog(-size);
        }
    }

    private static bool Contains(IReadOnlyList<string> values, string value)
    {
        for (var i = 0; i < values.Count; i++)
        {
            if (string.Equals(values[i], value, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
