using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace WsHub.SignalR.Internal;

/// <summary>
/// Ties the lifetime managers to the host. Once the app has started, it creates the manager of every mapped hub, so
/// an instance joins the registry and removes dead instances even before its first client arrives. When the app
/// begins to stop, it drains them inside the <see cref="IHostApplicationLifetime.ApplicationStopping"/> callback,
/// which the host runs before it stops any hosted service, so Kestrel still serves while clients move elsewhere.
/// </summary>
internal sealed class WsHubHostedService(
    WsHubManagerCatalog catalog,
    IHostApplicationLifetime lifetime,
    IServiceProvider services,
    IOptions<WsHubOptions> options) : IHostedService, IDisposable
{
    private CancellationTokenRegistration _started;
    private CancellationTokenRegistration _stopping;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _started = lifetime.ApplicationStarted.Register(StartMappedHubs);
        _stopping = lifetime.ApplicationStopping.Register(Drain);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose()
    {
        _started.Dispose();
        _stopping.Dispose();
    }

    private void StartMappedHubs()
    {
        // Hubs are found through their endpoints, because dependency injection has no list of hub types.
        var endpoints = services.GetService<EndpointDataSource>()?.Endpoints ?? [];
        var hubTypes = endpoints
            .Select(endpoint => endpoint.Metadata.GetMetadata<HubMetadata>()?.HubType)
            .OfType<Type>()
            .Distinct();
        foreach (var hubType in hubTypes)
        {
            services.GetService(typeof(HubLifetimeManager<>).MakeGenericType(hubType));
        }

        foreach (var manager in catalog.Managers)
        {
            manager.StartInBackground();
        }
    }

    private void Drain()
    {
        // The host waits for this callback, which is what keeps the server up until the drain ends.
        using var timeout = new CancellationTokenSource(options.Value.DrainTimeout);
        Task.WhenAll(catalog.Managers.Select(manager => manager.DrainAsync(timeout.Token))).GetAwaiter().GetResult();
    }
}
