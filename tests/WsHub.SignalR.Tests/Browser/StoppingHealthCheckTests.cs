using FluentAssertions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using SampleChat;

namespace WsHub.SignalR.Tests.Browser;

/// <summary>
/// Checks the health check behind the sample's <c>/healthz</c> that the gateway probes.
/// </summary>
public sealed class StoppingHealthCheckTests
{
    [Fact]
    public async Task CheckHealth_Running_ReturnsHealthy()
    {
        using var lifetime = new TestLifetime();
        var check = new StoppingHealthCheck(lifetime);

        var result = await check.CheckHealthAsync(new HealthCheckContext()).WaitAsync(TimeSpan.FromSeconds(5));

        result.Status.Should().Be(HealthStatus.Healthy);
    }

    [Fact]
    public async Task CheckHealth_Stopping_ReturnsUnhealthy()
    {
        using var lifetime = new TestLifetime();
        var check = new StoppingHealthCheck(lifetime);

        lifetime.StopApplication();
        var result = await check.CheckHealthAsync(new HealthCheckContext()).WaitAsync(TimeSpan.FromSeconds(5));

        result.Status.Should().Be(HealthStatus.Unhealthy);
    }

    private sealed class TestLifetime : IHostApplicationLifetime, IDisposable
    {
        private readonly CancellationTokenSource _stopping = new();

        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => _stopping.Token;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication() => _stopping.Cancel();

        public void Dispose() => _stopping.Dispose();
    }
}
