using Microsoft.AspNetCore.SignalR.Protocol;

namespace WsHub.SignalR.Internal;

/// <summary>
/// An invocation that another instance requested for a connection this instance holds. The hub protocol reads the
/// client's result as raw bytes, which go back to the requester unparsed, so the requester binds them to its own type.
/// </summary>
internal sealed class ForwardedInvocation(
    string invocationId,
    string connectionId,
    string requesterInstanceId,
    Action<ForwardedInvocation, CompletionMessage> reply,
    Action<ForwardedInvocation, Exception> fail)
    : PendingInvocation(connectionId, typeof(RawResult))
{
    public string InvocationId { get; } = invocationId;

    public string RequesterInstanceId { get; } = requesterInstanceId;

    public override void Complete(CompletionMessage completion) => reply(this, completion);

    public override void Fail(Exception exception) => fail(this, exception);
}
