using Microsoft.AspNetCore.SignalR;

namespace SampleChat;

/// <summary>
/// Logs the exceptions that hub methods throw. A <see cref="HubException"/> is an expected error, such as invalid
/// input or Redis being unreachable, and is logged at Debug level. Any other exception is logged at Error level.
/// </summary>
/// <remarks>
/// SignalR itself logs every exception of a hub method at Error level, <see cref="HubException"/> included, as event
/// 8 <c>FailedInvokingHubMethod</c> of the category <see cref="DispatcherLogCategory"/>. Program raises that
/// category's minimum level above Error, which silences only that event, because all other events of the category
/// are Debug or Trace (ASP.NET Core 10, <c>DefaultHubDispatcherLog.cs</c>).
/// NOTE: the dispatcher also logs hub activation and argument binding failures as that event. Those run before this
/// filter, so they are no longer logged; the client still gets an error.
/// </remarks>
/// <param name="logger">The logger.</param>
public sealed class HubErrorLoggingFilter(ILogger<HubErrorLoggingFilter> logger) : IHubFilter
{
    /// <summary>The log category of SignalR's hub method dispatcher.</summary>
    public const string DispatcherLogCategory = "Microsoft.AspNetCore.SignalR.Internal.DefaultHubDispatcher";

    /// <inheritdoc />
    public async ValueTask<object?> InvokeMethodAsync(
        HubInvocationContext invocationContext,
        Func<HubInvocationContext, ValueTask<object?>> next)
    {
        try
        {
            return await next(invocationContext);
        }
        catch (HubException ex)
        {
            ChatLog.HubMethodRejected(
                logger, invocationContext.HubMethodName, invocationContext.Context.ConnectionId, ex.Message, ex);
            throw;
        }
        catch (Exception ex)
        {
            ChatLog.HubMethodFailed(logger, invocationContext.HubMethodName, invocationContext.Context.ConnectionId, ex);
            throw;
        }
    }
}
