using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace WsHub.SignalR.Internal;

/// <summary>
/// Drains every WsHub lifetime manager when the host begins to stop. The drain runs inside the
/// <see cref="IHostApplicationLifetime.ApplicationStopping"/> callback, which the host runs before it stops any
/// hosted service, so Kestrel still serves while clients are told to reconnect elsewhere.
/// </summary>
internal sealed class WsHubDrainService(
    WsHubManagerCatalog catalog,
    IHostApplicationLifetime lifetime,
    IOptions<WsHubOptions> options) : IHostedService, IDisposable
{
    private CancellationTokenRegistration _registration;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _registration = lifetime.ApplicationStopping.Register(Drain);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _registration.Dispose();

    private void Drain()
    {
        // The host waits for this callback, which is what keeps the server up until the drain ends.
        using var timeout = new CancellationTokenSource(options.Value.DrainTimeout);
        Task.WhenAll(catalog.Managers.Select(manager => manager.DrainAsync(timeout.Token))).GetAwaiter().GetResult();
    }
}
