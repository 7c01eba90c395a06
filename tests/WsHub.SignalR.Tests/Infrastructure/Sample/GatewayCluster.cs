using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using SampleGateway;

namespace WsHub.SignalR.Tests.Infrastructure.Sample;

/// <summary>
/// A Redis server, two SampleChat instances A and B, and the SampleGateway in front of them, all in this process
/// except Redis. Each test that stops an instance starts its own cluster.
/// </summary>
internal sealed class GatewayCluster : IAsyncDisposable
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(30);

    private SampleRedisServer? _redis;
    private WebApplication? _gateway;

    private GatewayCluster()
    {
    }

    /// <summary>Instance A.</summary>
    public SampleChatFactory InstanceA { get; private set; } = null!;

    /// <summary>Instance B.</summary>
    public SampleChatFactory InstanceB { get; private set; } = null!;

    /// <summary>The base address of instance A.</summary>
    public Uri UrlA { get; private set; } = null!;

    /// <summary>The base address of instance B.</summary>
    public Uri UrlB { get; private set; } = null!;

    /// <summary>The base address of the gateway.</summary>
    public Uri GatewayUrl { get; private set; } = null!;

    /// <summary>
    /// Starts Redis, both instances and the gateway.
    /// </summary>
    /// <param name="healthCheckSeconds">How often the gateway probes the instances.</param>
    /// <returns>The running cluster.</returns>
    public static async Task<GatewayCluster> StartAsync(double healthCheckSeconds = 0.5)
    {
        var cluster = new GatewayCluster();
        try
        {
            cluster._redis = await SampleRedisServer.StartAsync().WaitAsync(StepTimeout);

            var channelPrefix = $"gateway-{Guid.NewGuid():N}";
            cluster.InstanceA = new SampleChatFactory(cluster._redis.Configuration, channelPrefix, "instance-a");
            cluster.InstanceB = new SampleChatFactory(cluster._redis.Configuration, channelPrefix, "instance-b");
            cluster.UrlA = cluster.InstanceA.Start();
            cluster.UrlB = cluster.InstanceB.Start();

            // The gateway is built by the same code as src/SampleGateway's Program, on a free loopback port.
            cluster._gateway = GatewayApp.Create(
            [
                "--urls", "http://127.0.0.1:0",
                $"--{GatewayApp.InstancesKey}", $"{cluster.UrlA},{cluster.UrlB}",
                $"--{GatewayApp.HealthCheckSecondsKey}", healthCheckSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--Logging:LogLevel:Default", "Warning",
            ]);
            await cluster._gateway.StartAsync().WaitAsync(StepTimeout);
            var address = cluster._gateway.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()
                ?.Addresses.FirstOrDefault() ?? throw new InvalidOperationException("The gateway reports no listening address.");
            cluster.GatewayUrl = new Uri(address.TrimEnd('/'));
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Returns the instance with the given page name.</summary>
    /// <param name="name">The instance name, <c>instance-a</c> or <c>instance-b</c>.</param>
    /// <returns>The instance.</returns>
    public SampleChatFactory Instance(string name)
    {
        return name == InstanceA.InstanceName ? InstanceA
            : name == InstanceB.InstanceName ? InstanceB
            : throw new ArgumentException($"No instance is named '{name}'.", nameof(name));
    }

    /// <summary>Returns the instance that is not the given one.</summary>
    /// <param name="instance">One of the two instances.</param>
    /// <returns>The other instance.</returns>
    public SampleChatFactory Other(SampleChatFactory instance)
    {
        return ReferenceEquals(instance, InstanceA) ? InstanceB : InstanceA;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.StopAsync().WaitAsync(StepTimeout);
            await _gateway.DisposeAsync().AsTask().WaitAsync(StepTimeout);
        }

        if (InstanceA is not null)
        {
            await InstanceA.DisposeAsync().AsTask().WaitAsync(StepTimeout);
        }

        if (InstanceB is not null)
        {
            await InstanceB.DisposeAsync().AsTask().WaitAsync(StepTimeout);
        }

        if (_redis is not null)
        {
            await _redis.DisposeAsync().AsTask().WaitAsync(StepTimeout);
        }
    }
}
