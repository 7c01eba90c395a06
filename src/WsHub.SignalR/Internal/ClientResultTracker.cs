using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace WsHub.SignalR.Internal;

/// <summary>
/// Client-result invocations pending on this instance, keyed by invocation id. Also binds the result types
/// when a completion forwarded by another instance is parsed.
/// </summary>
internal sealed class ClientResultTracker : IInvocationBinder
{
    private readonly ConcurrentDictionary<string, PendingInvocation> _pending = new(StringComparer.Ordinal);

    public int Count => _pending.Count;

    public void Add(string invocationId, PendingInvocation invocation)
    {
        if (!_pending.TryAdd(invocationId, invocation))
        {
            throw new InvalidOperationException($"Invocation id '{invocationId}' is already pending.");
        }
    }

    public bool TryRemove(string invocationId, out PendingInvocation? invocation)
    {
        return _pending.TryRemove(invocationId, out invocation);
    }

    public bool TryGetType(string invocationId, out Type? type)
    {
        if (_pending.TryGetValue(invocationId, out var invocation))
        {
            type = invocation.ResultType;
            return true;
        }

        type = null;
        return false;
    }

    /// <summary>
    /// Completes the invocation when <paramref name="connectionId"/> is the connection it was sent to; a result from
    /// any other connection is ignored, so one client cannot answer for another.
    /// </summary>
    public bool TryComplete(string? connectionId, CompletionMessage completion)
    {
        if (completion.InvocationId is null || !_pending.TryGetValue(completion.InvocationId, out var invocation))
        {
            return false;
        }

        if (connectionId is not null && !string.Equals(invocation.ConnectionId, connectionId, StringComparison.Ordinal))
        {
            return false;
        }

        if (!_pending.TryRemove(new KeyValuePair<string, PendingInvocation>(completion.InvocationId, invocation)))
        {
            return false;
        }

        invocation.Complete(completion);
        return true;
    }

    /// <summary>Fails every invocation sent to a connection, when it disconnects.</summary>
    public void FailConnection(string connectionId)
    {
        foreach (var (invocationId, invocation) in _pending)
        {
            if (string.Equals(invocation.ConnectionId, connectionId, StringComparison.Ordinal)
                && _pending.TryRemove(new KeyValuePair<string, PendingInvocation>(invocationId, invocation)))
            {
                invocation.Fail(new IOException($"Connection '{connectionId}' disconnected."));
            }
        }
    }

    /// <summary>Fails every invocation whose connection is held by an instance that is no longer alive.</summary>
    public int FailHolders(Func<string, bool> isGone)
    {
        var failed = 0;
        foreach (var (invocationId, invocation) in _pending)
        {
            var holder = invocation.HolderInstanceId;
            if (holder is not null && isGone(holder)
                && _pending.TryRemove(new KeyValuePair<string, PendingInvocation>(invocationId, invocation)))
            {
                invocation.Fail(new IOException(
                    $"Connection '{invocation.ConnectionId}' was lost because instance '{holder}' left the cluster."));
                failed++;
            }
        }

        return failed;
    }

    /// <summary>Fails every pending invocation, when this instance stops.</summary>
    public void FailAll(string reason)
    {
        foreach (var (invocationId, invocation) in _pending)
        {
            if (_pending.TryRemove(new KeyValuePair<string, PendingInvocation>(invocationId, invocation)))
            {
                invocation.Fail(new IOException(reason));
            }
        }
    }

    Type IInvocationBinder.GetReturnType(string invocationId)
    {
        return TryGetType(invocationId, out var type)
            ? type!
            : throw new InvalidOperationException($"Invocation '{invocationId}' is not pending on this instance.");
    }

    IReadOnlyList<Type> IInvocationBinder.GetParameterTypes(string methodName)
    {
        throw new NotSupportedException("Forwarded results carry no invocations.");
    }

    Type IInvocationBinder.GetStreamItemType(string streamId)
    {
        throw new NotSupportedException("Forwarded results carry no streams.");
    }
}
