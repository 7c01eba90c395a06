using StackExchange.Redis;
using WsHub.SignalR;

namespace SampleChat;

/// <summary>
/// Maps <c>GET /api/cluster</c>, the JSON source of the cluster view.
/// </summary>
public static class ClusterEndpoint
{
    /// <summary>The path of the endpoint.</summary>
    public const string Path = "/api/cluster";

    /// <summary>
    /// Maps the endpoint on the app.
    /// </summary>
    /// <param name="endpoints">The app's endpoint builder.</param>
    /// <returns>The endpoint builder, for chaining.</returns>
    public static IEndpointRouteBuilder MapClusterEndpoint(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);

        endpoints.MapGet(Path, GetSnapshotAsync);
        return endpoints;
    }

    private static async Task<IResult> GetSnapshotAsync(
        WsHubPresence<ChatHub> presence,
        RoomDirectory rooms,
        IConnectionMultiplexer redis,
        SampleRedisKeys keys,
        InstanceIdentity identity,
        ILogger<ClusterSnapshot> logger,
        CancellationToken cancellationToken)
    {
        try
        {
            var instances = await presence.GetInstancesAsync(cancellationToken);
            var names = await redis.GetDatabase()
                .StringGetAsync(instances.Select(instance => keys.InstanceName(instance.InstanceId)).ToArray())
                .WaitAsync(cancellationToken);
            var listed = instances
                .Select((instance, i) => new ClusterInstance(
                    instance.InstanceId,
                    names[i].IsNull ? null : (string?)names[i],
                    instance.State.ToString(),
                    instance.ConnectionCount,
                    instance.StartedAt,
                    instance.LastHeartbeat))
                .OrderBy(instance => instance.Name ?? "\uffff", StringComparer.Ordinal)
                .ThenBy(instance => instance.InstanceId, StringComparer.Ordinal)
                .ToArray();

            var roomList = await rooms.GetRoomsAsync(cancellationToken);
            return Results.Ok(new ClusterSnapshot(identity.Name, listed, roomList, DateTimeOffset.UtcNow));
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            ChatLog.ClusterSnapshotFailed(logger, ex);
            return Results.Problem(
                detail: $"Reading the cluster state from Redis failed: {ex.Message}",
                statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }
}
