using Microsoft.Extensions.Options;

namespace WsHub.SignalR.Internal;

/// <summary>
/// Checks the combinations of <see cref="WsHubOptions"/> that single setters cannot check, at application start.
/// </summary>
internal sealed class WsHubOptionsValidator : IValidateOptions<WsHubOptions>
{
    public ValidateOptionsResult Validate(string? name, WsHubOptions options)
    {
        var failures = new List<string>();

        if (options.InstanceTimeout < options.HeartbeatInterval * 2)
        {
            failures.Add(
                $"WsHubOptions.InstanceTimeout ({options.InstanceTimeout}) must be at least twice WsHubOptions.HeartbeatInterval "
                + $"({options.HeartbeatInterval}), or live instances would be taken for dead. Raise InstanceTimeout or lower HeartbeatInterval.");
        }

        var connectionSources = (options.ConnectionFactory is null ? 0 : 1) + (options.UseRegisteredMultiplexer ? 1 : 0);
        if (connectionSources > 1)
        {
            failures.Add(
                "WsHubOptions.ConnectionFactory and WsHubOptions.UseRegisteredMultiplexer are both set. Choose one way to connect.");
        }

        if (connectionSources == 0 && (options.Configuration is null || options.Configuration.EndPoints.Count == 0))
        {
            failures.Add(
                "WsHubOptions.Configuration has no Redis endpoint. Pass a configuration string such as \"127.0.0.1:6379\" to "
                + "AddWsHubBackplane, or set WsHubOptions.ConnectionFactory or WsHubOptions.UseRegisteredMultiplexer.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
