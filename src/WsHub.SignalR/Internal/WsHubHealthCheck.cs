using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace WsHub.SignalR.Internal;

/// <summary>
/// Reports whether the backplane reaches Redis: Healthy when it does, Degraded while Redis is unreachable and
/// messages for other instances wait in the outage buffer, Unhealthy once that buffer is full and sends fail.
/// </summary>
internal sealed class WsHubHealthCheck(WsHubManagerCatalog catalog) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var managers = catalog.Managers;
        var buffered = managers.Sum(manager => manager.BufferedMessageCount);
        var data = new Dictionary<string, object>
        {
            ["hubs"] = managers.Count,
            ["bufferedMessages"] = buffered,
            ["connections"] = managers.Sum(manager => manager.ConnectionCount),
        };

        if (managers.Count == 0)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy(
                "No hub uses the WsHub backplane yet. Call AddWsHubBackplane on the SignalR builder and map a hub.", data: data));
        }

        if (managers.Any(manager => manager.IsBufferFull))
        {
            return Task.FromResult(HealthCheckResult.Unhealthy(
                $"Redis is unreachable and the outage buffer is full with {buffered} messages; sends to other instances fail.",
                data: data));
        }

        if (managers.Any(manager => !manager.IsOnline))
        {
            return Task.FromResult(HealthCheckResult.Degraded(
                $"Redis is unreachable or not yet connected; {buffered} messages for other instances wait in the outage buffer.",
                data: data));
        }

        return Task.FromResult(HealthCheckResult.Healthy("Connected to Redis.", data));
    }
}
