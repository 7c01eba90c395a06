using Microsoft.AspNetCore.SignalR;
using StackExchange.Redis;
using WsHub.SignalR;

namespace SampleChat;

/// <summary>
/// Stores this instance's display name in Redis under its WsHub instance id, so the cluster view on any instance
/// can show names next to the generated ids.
/// </summary>
/// <remarks>
/// The key expires after <see cref="NameTimeToLive"/> unless it is refreshed, so an instance that dies leaves no
/// name behind for long. The service stops after the backplane has drained, so a draining instance keeps its name.
/// </remarks>
/// <param name="redis">The Redis connection the app shares with the backplane.</param>
/// <param name="keys">The sample's key names.</param>
/// <param name="lifetimeManager">The chat hub's lifetime manager, which stores the WsHub instance id.</param>
/// <param name="identity">The name of this instance.</param>
/// <param name="logger">The logger.</param>
public sealed class InstanceNamePublisher(
    IConnectionMultiplexer redis,
    SampleRedisKeys keys,
    HubLifetimeManager<ChatHub> lifetimeManager,
    InstanceIdentity identity,
    ILogger<InstanceNamePublisher> logger) : BackgroundService
{
    /// <summary>How often the name is written again.</summary>
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(5);

    /// <summary>How long a name stays in Redis without a refresh.</summary>
    public static readonly TimeSpan NameTimeToLive = TimeSpan.FromSeconds(20);

    private bool _lastWriteFailed;

    /// <summary>The WsHub instance id of this instance.</summary>
    public string InstanceId => ((WsHubLifetimeManager<ChatHub>)lifetimeManager).InstanceId;

    /// <inheritdoc />
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await redis.GetDatabase().KeyDeleteAsync(keys.InstanceName(InstanceId)).WaitAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or OperationCanceledException or ObjectDisposedException)
        {
            // The key expires on its own after NameTimeToLive. A host that is stopped a second time finds the
            // connection already disposed.
            ChatLog.InstanceNameWriteFailed(logger, InstanceId, ex);
        }
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(RefreshInterval);
        try
        {
            do
            {
                await WriteNameAsync();
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host stops the service.
        }
    }

    private async Task WriteNameAsync()
    {
        try
        {
            await redis.GetDatabase().StringSetAsync(keys.InstanceName(InstanceId), identity.Name, NameTimeToLive);
            _lastWriteFailed = false;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // Log the first failure of a series only, because the write repeats every few seconds.
            if (!_lastWriteFailed)
            {
                ChatLog.InstanceNameWriteFailed(logger, InstanceId, ex);
            }

            _lastWriteFailed = true;
        }
    }
}
