using System.Collections.Concurrent;

namespace WsHub.SignalR.Internal;

/// <summary>
/// The lifetime managers created in one app, one per hub type, so that the host can drain them all when it stops.
/// </summary>
internal sealed class WsHubManagerCatalog
{
    private readonly ConcurrentDictionary<IWsHubInstance, byte> _managers = new();

    public void Add(IWsHubInstance manager) => _managers.TryAdd(manager, 0);

    public IReadOnlyCollection<IWsHubInstance> Managers => (IReadOnlyCollection<IWsHubInstance>)_managers.Keys;
}
