using Microsoft.AspNetCore.SignalR.Protocol;

namespace WsHub.SignalR.Internal;

/// <summary>
/// A client-result invocation waiting for the client's completion message.
/// </summary>
internal abstract class PendingInvocation(string connectionId, Type resultType)
{
    public string ConnectionId { get; } = connectionId;

    /// <summary>The type the hub protocol binds the result to.</summary>
    public Type ResultType { get; } = resultType;

    /// <summary>The instance that holds the connection, for an invocation sent through Redis; null when local.</summary>
    public string? HolderInstanceId { get; set; }

    public abstract void Complete(CompletionMessage completion);

    public abstract void Fail(Exception exception);
}
