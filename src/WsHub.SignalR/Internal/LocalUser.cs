using Microsoft.AspNetCore.SignalR;

namespace WsHub.SignalR.Internal;

/// <summary>
/// The local connections of one user. Changed under the lock of this object; read without it.
/// </summary>
internal sealed class LocalUser
{
    public HubConnectionStore Connections { get; } = new();

    /// <summary>True once the user left the dictionary; a caller holding it must look the user up again.</summary>
    public bool Removed { get; set; }
}
