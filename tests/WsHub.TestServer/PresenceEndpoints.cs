using Microsoft.AspNetCore.SignalR;
using WsHub.SignalR;

namespace WsHub.TestServer;

/// <summary>
/// HTTP endpoints that return, as JSON, what <see cref="WsHubPresence{THub}"/> reports and this instance's id.
/// </summary>
public static class PresenceEndpoints
{
    // Small pages make the group walk take several SSCAN round trips even for a few dozen members.
    private const int GroupPageSize = 10;

    /// <summary>Maps <c>/instance</c> and the <c>/presence/...</c> endpoints.</summary>
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);

        endpoints.MapGet("/instance", (HubLifetimeManager<TestHub> manager) =>
        {
            var wsHubManager = (WsHubLifetimeManager<TestHub>)manager;
            return new InstanceResponse(wsHubManager.InstanceId, Environment.ProcessId);
        });

        endpoints.MapGet("/presence/instances", (WsHubPresence<TestHub> presence, CancellationToken cancellationToken) =>
            presence.GetInstancesAsync(cancellationToken));

        endpoints.MapGet("/presence/connection/{id}", async (
            string id,
            WsHubPresence<TestHub> presence,
            CancellationToken cancellationToken) =>
        {
            var instanceId = await presence.GetConnectionInstanceAsync(id, cancellationToken);
            var connected = await presence.IsConnectedAsync(id, cancellationToken);
            return new ConnectionResponse(id, instanceId, connected);
        });

        endpoints.MapGet("/presence/user/{id}", (string id, WsHubPresence<TestHub> presence, CancellationToken cancellationToken) =>
            presence.GetUserAsync(id, cancellationToken));

        endpoints.MapGet("/presence/group/{name}", async (
            string name,
            WsHubPresence<TestHub> presence,
            CancellationToken cancellationToken) =>
        {
            var count = await presence.GetGroupMemberCountAsync(name, cancellationToken);

            // SSCAN may return a member twice while the set changes, so the walk removes duplicates.
            var members = new HashSet<string>(StringComparer.Ordinal);
            var pages = 0;
            long cursor = 0;
            do
            {
                var page = await presence.GetGroupMembersAsync(name, cursor, GroupPageSize, cancellationToken);
                members.UnionWith(page.ConnectionIds);
                cursor = page.NextCursor;
                pages++;
            }
            while (cursor != 0);

            return new GroupResponse(name, count, [.. members.Order(StringComparer.Ordinal)], pages);
        });

        endpoints.MapGet("/presence/connection-groups/{id}", async (
            string id,
            WsHubPresence<TestHub> presence,
            CancellationToken cancellationToken) =>
            new ConnectionGroupsResponse(id, await presence.GetConnectionGroupsAsync(id, cancellationToken)));
    }
}
