using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using WsHub.SignalR.Internal;

namespace WsHub.SignalR;

public sealed partial class WsHubLifetimeManager<THub>
{
    /// <inheritdoc />
    /// <remarks>
    /// Fails with an <see cref="IOException"/> when the connection exists on no instance, when it disconnects before it
    /// returns a result, and when the instance that holds it leaves the cluster or stops sending heartbeats.
    /// </remarks>
    public override async Task<T> InvokeConnectionAsync<T>(
        string connectionId,
        string methodName,
        object?[] args,
        CancellationToken cancellationToken)
    {
        ValidateName(connectionId, nameof(connectionId));
        ArgumentNullException.ThrowIfNull(methodName);

        var invocationId = _invocationIdPrefix + Interlocked.Increment(ref _lastInvocationId).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var pending = new PendingResult<T>(connectionId);
        _results.Add(invocationId, pending);

        var connection = _connections[connectionId];
        try
        {
            if (connection is not null)
            {
                await connection.WriteAsync(new InvocationMessage(invocationId, methodName, args), cancellationToken);
            }
            else
            {
                pending.HolderInstanceId = await SendRemoteInvocationAsync(invocationId, connectionId, methodName, args, cancellationToken);
            }
        }
        catch
        {
            _results.TryRemove(invocationId, out _);
            throw;
        }

        using var registration = cancellationToken.Register(() => CancelInvocation(invocationId, pending, connection, cancellationToken));
        return await pending.Task;
    }

    /// <inheritdoc />
    public override Task SetConnectionResultAsync(string connectionId, CompletionMessage result)
    {
        ArgumentNullException.ThrowIfNull(connectionId);
        ArgumentNullException.ThrowIfNull(result);

        if (!_results.TryComplete(connectionId, result))
        {
            WsHubLog.UnknownInvocationResult(_logger, result.InvocationId ?? string.Empty);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public override bool TryGetReturnType(string invocationId, [NotNullWhen(true)] out Type? type)
    {
        ArgumentNullException.ThrowIfNull(invocationId);

        return _results.TryGetType(invocationId, out type);
    }

    private async Task<string> SendRemoteInvocationAsync(
        string invocationId,
        string connectionId,
        string methodName,
        object?[] args,
        CancellationToken cancellationToken)
    {
        var registry = await GetRegistryAsync();
        var message = CreateMessage(new InvocationMessage(invocationId, methodName, args));
        var payload = EnvelopeCodec.WriteInvocation(_instanceId, invocationId, connectionId, message.Messages);
        var holders = await registry.RouteToConnectionsAsync([connectionId], payload).WaitAsync(_options.OperationTimeout, cancellationToken);
        var holder = holders[0];
        if (holder is null || holder == _instanceId)
        {
            throw new IOException($"Connection '{connectionId}' does not exist.");
        }

        return holder;
    }

    private void CancelInvocation<T>(string invocationId, PendingResult<T> pending, HubConnectionContext? connection, CancellationToken cancellationToken)
    {
        if (!_results.TryRemove(invocationId, out _))
        {
            return;
        }

        pending.Cancel(cancellationToken);

        // Tell the client, or the instance that holds it, to stop waiting for the answer.
        if (connection is not null)
        {
            WriteWithoutWaiting(connection, new CancelInvocationMessage(invocationId));
        }
        else if (pending.HolderInstanceId is { } holder)
        {
            _ = PublishAsync(_names.Instance(holder), EnvelopeCodec.WriteInvocationCancel(_instanceId, invocationId, pending.ConnectionId));
        }
    }

    private void StartForwardedInvocation(BackplaneEnvelope envelope)
    {
        var invocationId = envelope.InvocationId!;
        var connectionId = envelope.ConnectionId!;
        var connection = _connections[connectionId];
        if (connection is null)
        {
            ReportConnectionLost(envelope.Origin, invocationId, $"Connection '{connectionId}' does not exist.");
            return;
        }

        var protocol = connection.Protocol;
        var forwarded = new ForwardedInvocation(
            invocationId,
            connectionId,
            envelope.Origin,
            (invocation, completion) => ReplyToRequester(invocation.RequesterInstanceId, invocation.InvocationId, protocol, completion),
            (invocation, exception) => ReportConnectionLost(invocation.RequesterInstanceId, invocation.InvocationId, exception.Message));

        try
        {
            _results.Add(invocationId, forwarded);
        }
        catch (InvalidOperationException)
        {
            // A duplicate id means the requester sent the same invocation twice, and the first one is kept.
            return;
        }

        WriteWithoutWaiting(connection, new OutgoingMessage(envelope.Messages!));
    }

    private void ReplyToRequester(string requesterInstanceId, string invocationId, IHubProtocol protocol, CompletionMessage completion)
    {
        var bytes = protocol.GetMessageBytes(completion);
        var payload = EnvelopeCodec.WriteInvocationResult(_instanceId, invocationId, protocol.Name, bytes.Span);
        _ = PublishAsync(_names.Instance(requesterInstanceId), payload);
    }

    private void ReportConnectionLost(string requesterInstanceId, string invocationId, string reason)
    {
        _ = PublishAsync(_names.Instance(requesterInstanceId), EnvelopeCodec.WriteInvocationConnectionLost(_instanceId, invocationId, reason));
    }

    private void FailForwardedResult(BackplaneEnvelope envelope)
    {
        FailPendingResult(envelope.InvocationId!, new IOException(envelope.Reason));
    }

    private void CompleteForwardedResult(BackplaneEnvelope envelope)
    {
        var invocationId = envelope.InvocationId!;
        var protocol = _protocolResolver.GetProtocol(envelope.ProtocolName!, null);
        if (protocol is null)
        {
            FailPendingResult(invocationId, new InvalidOperationException(
                $"The result of invocation '{invocationId}' is in hub protocol '{envelope.ProtocolName}', which this instance does not have."));
            return;
        }

        var bytes = new ReadOnlySequence<byte>(envelope.Payload);
        try
        {
            if (protocol.TryParseMessage(ref bytes, _results, out var message) && message is CompletionMessage completion)
            {
                if (!_results.TryComplete(connectionId: null, completion))
                {
                    WsHubLog.UnknownInvocationResult(_logger, invocationId);
                }

                return;
            }

            FailPendingResult(invocationId, new InvalidOperationException($"The result of invocation '{invocationId}' is not a completion message."));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _results.TryGetType(invocationId, out var type);
            FailPendingResult(invocationId, new InvalidOperationException(
                $"Error trying to deserialize result to {type?.Name ?? "the expected type"}. {ex.Message}", ex));
        }
    }

    private void FailPendingResult(string invocationId, Exception exception)
    {
        if (_results.TryRemove(invocationId, out var invocation))
        {
            invocation!.Fail(exception);
        }
    }

    private void DropForwardedInvocation(BackplaneEnvelope envelope)
    {
        var invocationId = envelope.InvocationId!;
        if (_results.TryRemove(invocationId, out var invocation) && invocation is ForwardedInvocation)
        {
            var connection = _connections[envelope.ConnectionId!];
            if (connection is not null)
            {
                WriteWithoutWaiting(connection, new CancelInvocationMessage(invocationId));
            }
        }
    }
}
