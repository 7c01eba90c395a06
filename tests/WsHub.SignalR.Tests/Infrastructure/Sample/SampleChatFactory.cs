using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SampleChat;
using WsHub.SignalR;

namespace WsHub.SignalR.Tests.Infrastructure.Sample;

/// <summary>
/// One SampleChat instance served by Kestrel on a free loopback port, so that browsers and Node clients can reach it.
/// </summary>
/// <param name="redisConfiguration">The Redis configuration string shared by all instances.</param>
/// <param name="channelPrefix">The WsHub channel prefix, unique per cluster.</param>
/// <param name="instanceName">The instance name the page shows.</param>
internal sealed class SampleChatFactory(string redisConfiguration, string channelPrefix, string instanceName)
    : WebApplicationFactory<Program>
{
    private IHost? _host;

    /// <summary>The instance name the page shows.</summary>
    public string InstanceName { get; } = instanceName;

    /// <summary>The id under which the backplane registers this instance in Redis.</summary>
    public string WsHubInstanceId =>
        ((WsHubLifetimeManager<ChatHub>)Services.GetRequiredService<HubLifetimeManager<ChatHub>>()).InstanceId;

    /// <summary>
    /// Stops the host the way a service manager does: the backplane drains, telling each client to reconnect,
    /// and then the server stops listening.
    /// </summary>
    /// <returns>A task that completes when the host has stopped.</returns>
    public Task StopAsync()
    {
        var host = _host ?? throw new InvalidOperationException($"SampleChat instance {InstanceName} has not started.");
        return host.StopAsync();
    }

    /// <summary>
    /// Starts the server and returns its base address, such as <c>http://127.0.0.1:41234</c>.
    /// </summary>
    /// <returns>The base address, without a trailing slash.</returns>
    public Uri Start()
    {
        UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        StartServer();

        var address = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException($"SampleChat instance {InstanceName} reports no listening address.");
        return new Uri(address.TrimEnd('/'));
    }

    /// <inheritdoc />
    protected override IHost CreateHost(IHostBuilder builder)
    {
        _host = base.CreateHost(builder);
        return _host;
    }

    /// <inheritdoc />
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Redis", redisConfiguration);
        builder.UseSetting("WsHub:ChannelPrefix", channelPrefix);
        builder.UseSetting("InstanceName", InstanceName);
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
    }
}
