using Microsoft.AspNetCore.SignalR;

namespace WsHub.SignalR.Tests.History;

/// <summary>
/// A hub filter that removes every disconnecting connection from one group, as chat hubs do in
/// <see cref="Hub.OnDisconnectedAsync"/>.
/// </summary>
internal sealed class LeaveGroupOnDisconnectFilter(string groupName) : IHubFilter
{
    public async Task OnDisconnectedAsync(
        HubLifetimeContext context,
        Exception? exception,
        Func<HubLifetimeContext, Exception?, Task> next)
    {
        await context.Hub.Groups.RemoveFromGroupAsync(context.Context.ConnectionId, groupName);
        await next(context, exception);
    }
}
