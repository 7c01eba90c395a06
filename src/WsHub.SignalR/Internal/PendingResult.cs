using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace WsHub.SignalR.Internal;

/// <summary>
/// An invocation made on this instance, whose caller awaits <see cref="Task"/>.
/// </summary>
internal sealed class PendingResult<T>(string connectionId) : PendingInvocation(connectionId, typeof(T))
{
    private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<T> Task => _completion.Task;

    public override void Complete(CompletionMessage completion)
    {
        if (completion.Error is not null)
        {
            _completion.TrySetException(new HubException(completion.Error));
        }
        else if (!completion.HasResult || completion.Result is null)
        {
            // A null result is a valid answer for reference types and nullable value types.
            _completion.TrySetResult(default!);
        }
        else if (completion.Result is T result)
        {
            _completion.TrySetResult(result);
        }
        else
        {
            _completion.TrySetException(new InvalidOperationException(
                $"Error trying to deserialize result to {typeof(T).Name}: the client returned {completion.Result.GetType().Name}."));
        }
    }

    public override void Fail(Exception exception)
    {
        _completion.TrySetException(exception);
    }

    public void Cancel(CancellationToken cancellationToken)
    {
        _completion.TrySetCanceled(cancellationToken);
    }
}
