using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace SampleChat;

/// <summary>
/// The name of this server instance, shown on the page so that a user can see which instance serves them.
/// </summary>
/// <remarks>
/// The name comes from the configuration key <c>InstanceName</c>. Without it the name is the machine name and the
/// port of the first address the server listens on, which is known only after the server has started.
/// </remarks>
public sealed class InstanceIdentity
{
    private readonly string? _configured;
    private readonly IServer _server;
    private string? _defaultName;

    /// <summary>
    /// Creates the identity from configuration and the running server.
    /// </summary>
    /// <param name="configuration">The app configuration.</param>
    /// <param name="server">The server, used for its listening addresses.</param>
    public InstanceIdentity(IConfiguration configuration, IServer server)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(server);

        var configured = configuration["InstanceName"];
        _configured = string.IsNullOrWhiteSpace(configured) ? null : configured.Trim();
        _server = server;
    }

    /// <summary>The instance name.</summary>
    public string Name => _configured ?? _defaultName ?? DefaultName();

    // Only a name with the port is kept, because a read before the server has bound its address has no port yet.
    private string DefaultName()
    {
        var address = _server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        if (address is not null && Uri.TryCreate(address, UriKind.Absolute, out var uri) && uri.Port > 0)
        {
            return _defaultName = $"{Environment.MachineName}:{uri.Port}";
        }

        return Environment.MachineName;
    }
}
