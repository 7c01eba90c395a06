using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using WsHub.SignalR.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Extension methods that add the WsHub backplane to ASP.NET Core health checks.
/// </summary>
public static class WsHubHealthCheckBuilderExtensions
{
    /// <summary>
    /// Adds a health check that is Healthy while WsHub reaches Redis, Degraded while Redis is unreachable and messages
    /// for other instances are buffered, and Unhealthy once the outage buffer is full.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="name">The name of the check. Default: <c>wshub</c>.</param>
    /// <param name="tags">Tags for filtering checks, for example to separate readiness from liveness.</param>
    /// <returns>The same builder, for chaining.</returns>
    public static IHealthChecksBuilder AddWsHub(this IHealthChecksBuilder builder, string name = "wshub", IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);

        builder.Services.TryAddSingleton<WsHubManagerCatalog>();
        return builder.Add(new HealthCheckRegistration(
            name,
            services => new WsHubHealthCheck(services.GetRequiredService<WsHubManagerCatalog>()),
            failureStatus: null,
            tags));
    }
}
