using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using WsHub.SignalR;
using WsHub.SignalR.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Extension methods that put the WsHub Redis backplane behind SignalR.
/// </summary>
public static class WsHubDependencyInjectionExtensions
{
    /// <summary>
    /// Adds the WsHub backplane, configured later through <see cref="WsHubOptions"/>.
    /// </summary>
    /// <param name="signalrBuilder">The SignalR server builder.</param>
    /// <returns>The same builder, for chaining.</returns>
    public static ISignalRServerBuilder AddWsHubBackplane(this ISignalRServerBuilder signalrBuilder)
    {
        return AddWsHubBackplane(signalrBuilder, _ => { });
    }

    /// <summary>
    /// Adds the WsHub backplane connected to Redis through a StackExchange.Redis configuration string.
    /// </summary>
    /// <param name="signalrBuilder">The SignalR server builder.</param>
    /// <param name="redisConnectionString">A StackExchange.Redis configuration string, such as <c>127.0.0.1:6379</c>.</param>
    /// <returns>The same builder, for chaining.</returns>
    public static ISignalRServerBuilder AddWsHubBackplane(this ISignalRServerBuilder signalrBuilder, string redisConnectionString)
    {
        return AddWsHubBackplane(signalrBuilder, redisConnectionString, _ => { });
    }

    /// <summary>
    /// Adds the WsHub backplane configured by a delegate.
    /// </summary>
    /// <param name="signalrBuilder">The SignalR server builder.</param>
    /// <param name="configure">Sets the <see cref="WsHubOptions"/>.</param>
    /// <returns>The same builder, for chaining.</returns>
    public static ISignalRServerBuilder AddWsHubBackplane(this ISignalRServerBuilder signalrBuilder, Action<WsHubOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(signalrBuilder);
        ArgumentNullException.ThrowIfNull(configure);

        var services = signalrBuilder.Services;
        services.AddOptions<WsHubOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WsHubOptions>, WsHubOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(typeof(HubLifetimeManager<>), typeof(WsHubLifetimeManager<>));
        services.TryAddSingleton(typeof(WsHubPresence<>));
        services.TryAddSingleton(typeof(WsHubHistory<>));
        services.TryAddSingleton<WsHubManagerCatalog>();
        services.TryAddSingleton(serviceProvider => new WsHubMetrics(
            serviceProvider.GetRequiredService<WsHubManagerCatalog>(),
            serviceProvider.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, WsHubHostedService>());
        return signalrBuilder;
    }

    /// <summary>
    /// Adds the WsHub backplane connected through a StackExchange.Redis configuration string and configured by a delegate.
    /// </summary>
    /// <param name="signalrBuilder">The SignalR server builder.</param>
    /// <param name="redisConnectionString">A StackExchange.Redis configuration string, such as <c>127.0.0.1:6379</c>.</param>
    /// <param name="configure">Sets the <see cref="WsHubOptions"/>; runs after the configuration string is applied.</param>
    /// <returns>The same builder, for chaining.</returns>
    public static ISignalRServerBuilder AddWsHubBackplane(
        this ISignalRServerBuilder signalrBuilder,
        string redisConnectionString,
        Action<WsHubOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(signalrBuilder);
        ArgumentException.ThrowIfNullOrEmpty(redisConnectionString);
        ArgumentNullException.ThrowIfNull(configure);

        return AddWsHubBackplane(signalrBuilder, options =>
        {
            options.Configuration = ConfigurationOptions.Parse(redisConnectionString);
            configure(options);
        });
    }
}
