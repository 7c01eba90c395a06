using System.Collections.Concurrent;

namespace WsHub.SignalR.Internal;

/// <summary>
/// The lifetime managers created in one app, one per hub type, so that the host can drain them all when it stops.
/// </summary>
internal sealed class WsHubManagerCatalog
{
    private readonly ConcurrentDictionary<IWsHubDrainable, byte> _managers = new();

    public void Add(IWsHubDrainable manager) => _managers.TryAdd(manager, 0);

    public IReadOnlyCollection<IWsHubDrainable> Managers => (IReadOnlyCollection<IWsHubDrainable>)_managers.Keys;
}
