using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Logging;

namespace WsHub.SignalR;

// Placeholder until the Redis implementation lands; keeps dependent projects building.
internal sealed class WsHubLifetimeManager<THub>(ILogger<DefaultHubLifetimeManager<THub>> logger)
    : DefaultHubLifetimeManager<THub>(logger)
    where THub : Hub;
