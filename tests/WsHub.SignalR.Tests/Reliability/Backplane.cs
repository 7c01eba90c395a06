using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using WsHub.SignalR.Tests.Infrastructure;

namespace WsHub.SignalR.Tests.Reliability;

/// <summary>
/// Shortcuts into a test server's backplane: its lifetime manager, its health check and its registry entries.
/// </summary>
internal static class Backplane
{
    /// <summary>The name of the WsHub health check.</summary>
    public const string HealthCheckName = "wshub";

    /// <summary>The full name of <see cref="TestHub"/>, the middle part of every channel and key name.</summary>
    public static readonly string HubName = typeof(TestHub).FullName!;

    /// <summary>
    /// Sets heartbeats every 500 ms and a 3 s instance timeout, so that the registry is rebuilt soon after Redis comes
    /// back empty.
    /// </summary>
    public static void UseFastHeartbeat(WsHubOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);

        options.HeartbeatInterval = TimeSpan.FromMilliseconds(500);
        options.InstanceTimeout = TimeSpan.FromSeconds(3);
    }

    /// <summary>Returns the server's lifetime manager as the WsHub type.</summary>
    public static WsHubLifetimeManager<TestHub> Manager(BackplaneServer server)
    {
        ArgumentNullException.ThrowIfNull(server);

        server.LifetimeManager.Should().BeOfType<WsHubLifetimeManager<TestHub>>();
        return (WsHubLifetimeManager<TestHub>)server.LifetimeManager;
    }

    /// <summary>Returns the channel that carries broadcasts to every connection of the server's hub.</summary>
    public static string AllChannel(BackplaneServer server) => $"{server.ChannelPrefix}:{HubName}:all";

    /// <summary>Returns the channel of one group of the server's hub.</summary>
    public static string GroupChannel(BackplaneServer server, string groupName) => $"{server.ChannelPrefix}:{HubName}:group:{groupName}";

    /// <summary>Returns the channel of the server's own instance.</summary>
    public static string InstanceChannel(BackplaneServer server) =>
        $"{server.ChannelPrefix}:{HubName}:instance:{Manager(server).InstanceId}";

    /// <summary>Runs the WsHub health check of the server.</summary>
    public static async Task<HealthReportEntry> CheckHealthAsync(BackplaneServer server)
    {
        ArgumentNullException.ThrowIfNull(server);

        var service = server.Services.GetRequiredService<HealthCheckService>();
        var report = await service.CheckHealthAsync(check => check.Name == HealthCheckName).WaitAsync(TestTimeouts.Default);
        report.Entries.Should().ContainKey(HealthCheckName, "AddWsHub() registers a health check named '{0}'", HealthCheckName);
        return report.Entries[HealthCheckName];
    }

    /// <summary>
    /// Waits until the server's health check reports <paramref name="status"/>.
    /// </summary>
    public static async Task WaitForHealthAsync(BackplaneServer server, HealthStatus status, TimeSpan timeout)
    {
        HealthReportEntry? last = null;
        try
        {
            await Poll.WaitUntilAsync(
                async () =>
                {
                    last = await CheckHealthAsync(server);
                    return last.Value.Status == status;
                },
                timeout,
                $"the WsHub health check reports {status}");
        }
        catch (Xunit.Sdk.XunitException ex)
        {
            throw new Xunit.Sdk.XunitException($"{ex.Message} The last report was {last?.Status}: '{last?.Description}'.");
        }
    }

    /// <summary>
    /// Waits until the registry in Redis lists the connection, which shows that the server ran
    /// <c>OnConnectedAsync</c> for it.
    /// </summary>
    public static Task WaitUntilRegisteredAsync(BackplaneServer server, string connectionId)
    {
        ArgumentNullException.ThrowIfNull(server);

        var presence = server.Services.GetRequiredService<WsHubPresence<TestHub>>();
        return Poll.WaitUntilAsync(
            () => presence.IsConnectedAsync(connectionId),
            TestTimeouts.Default,
            $"the registry lists connection {connectionId}");
    }

    /// <summary>
    /// Waits until the registry no longer lists the connection, which shows that the server ran
    /// <c>OnDisconnectedAsync</c> for it.
    /// </summary>
    public static Task WaitUntilUnregisteredAsync(BackplaneServer server, string connectionId)
    {
        ArgumentNullException.ThrowIfNull(server);

        var presence = server.Services.GetRequiredService<WsHubPresence<TestHub>>();
        return Poll.WaitUntilAsync(
            async () => !await presence.IsConnectedAsync(connectionId),
            TestTimeouts.Default,
            $"the registry no longer lists connection {connectionId}");
    }
}
