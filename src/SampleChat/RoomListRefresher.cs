using StackExchange.Redis;

namespace SampleChat;

/// <summary>
/// Adds the rooms that have connections on this instance to the room list of the cluster view every
/// <see cref="RefreshInterval"/>, so the list comes back after Redis restarts without persistence or is flushed.
/// </summary>
/// <remarks>
/// Each refresh is one <c>ZADD NX</c> with the instance's rooms. The WsHub registry, which the room counts come
/// from, comes back with the backplane's next heartbeat, so the cluster view may drop a restored room once more
/// before the following refresh adds it for good.
/// </remarks>
/// <param name="rooms">The room list.</param>
/// <param name="logger">The logger.</param>
public sealed class RoomListRefresher(RoomDirectory rooms, ILogger<RoomListRefresher> logger) : BackgroundService
{
    /// <summary>How often the rooms of this instance are added again.</summary>
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(5);

    private bool _lastRefreshFailed;

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(RefreshInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await RefreshAsync();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host stops the service.
        }
    }

    private async Task RefreshAsync()
    {
        try
        {
            await rooms.AddLocalRoomsAsync();
            _lastRefreshFailed = false;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // Log the first failure of a series only, because the refresh repeats every few seconds.
            if (!_lastRefreshFailed)
            {
                ChatLog.RoomListRefreshFailed(logger, ex);
            }

            _lastRefreshFailed = true;
        }
    }
}
