using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace WsHub.SignalR.Tests.Infrastructure;

/// <summary>
/// How <see cref="BackplaneServer.StartAsync"/> builds a test app.
/// </summary>
public sealed class BackplaneServerOptions
{
    /// <summary>
    /// The StackExchange.Redis configuration string passed to <c>AddWsHubBackplane</c>, or null to call the overload
    /// without one, so that <see cref="ConfigureBackplane"/> must say how to connect.
    /// </summary>
    public string? RedisConfiguration { get; set; }

    /// <summary>The WsHub channel prefix. Servers of one test cluster share it.</summary>
    public string ChannelPrefix { get; set; } = TestPrefix.Create();

    /// <summary>
    /// Changes the WsHub options after the test defaults (channel prefix, 100 ms unsubscribe delay) are applied.
    /// </summary>
    public Action<WsHubOptions>? ConfigureBackplane { get; set; }

    /// <summary>Adds or replaces services, such as a registered multiplexer.</summary>
    public Action<IServiceCollection>? ConfigureServices { get; set; }

    /// <summary>
    /// Adds logging providers, for example to see the backplane's log while a test is investigated. Test apps log
    /// nothing by default.
    /// </summary>
    public Action<ILoggingBuilder>? ConfigureLogging { get; set; }

    /// <summary>Changes the SignalR hub options, such as the JSON protocol settings.</summary>
    public Action<ISignalRServerBuilder>? ConfigureSignalR { get; set; }
}
