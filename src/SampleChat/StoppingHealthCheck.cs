using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace SampleChat;

/// <summary>
/// A health check that fails as soon as the host begins to stop, while the backplane still drains, so a gateway
/// that probes <c>/healthz</c> sends reconnecting clients to the other instances instead of back to this one.
/// </summary>
/// <param name="lifetime">The host lifetime, whose stopping token is cancelled when the stop begins.</param>
public sealed class StoppingHealthCheck(IHostApplicationLifetime lifetime) : IHealthCheck
{
    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        return Task.FromResult(lifetime.ApplicationStopping.IsCancellationRequested
            ? HealthCheckResult.Unhealthy("The instance is stopping and moves its clients to other instances.")
            : HealthCheckResult.Healthy("The instance is running."));
    }
}
