using System.Globalization;

namespace WsHub.TestServer;

/// <summary>
/// Settings of the test server, read from configuration keys (command-line <c>--Key value</c> pairs).
/// </summary>
/// <param name="Redis">StackExchange.Redis configuration string (key <c>Redis</c>).</param>
/// <param name="Prefix">The WsHub channel prefix (key <c>Prefix</c>).</param>
/// <param name="HeartbeatInterval">Key <c>HeartbeatMs</c>, in milliseconds.</param>
/// <param name="InstanceTimeout">Key <c>InstanceTimeoutMs</c>, in milliseconds.</param>
/// <param name="DrainBatchSize">Key <c>DrainBatchSize</c>.</param>
/// <param name="DrainBatchInterval">Key <c>DrainBatchIntervalMs</c>, in milliseconds.</param>
/// <param name="DrainTimeout">Key <c>DrainTimeoutMs</c>, in milliseconds.</param>
public sealed record TestServerSettings(
    string Redis,
    string Prefix,
    TimeSpan HeartbeatInterval,
    TimeSpan InstanceTimeout,
    int DrainBatchSize,
    TimeSpan DrainBatchInterval,
    TimeSpan DrainTimeout)
{
    /// <summary>Reads the settings, with the WsHub defaults for keys that are missing.</summary>
    /// <exception cref="InvalidOperationException">The <c>Redis</c> key is missing.</exception>
    public static TestServerSettings Read(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);

        var redis = configuration["Redis"];
        if (string.IsNullOrEmpty(redis))
        {
            throw new InvalidOperationException("The Redis setting is missing: pass --Redis 127.0.0.1:PORT.");
        }

        return new TestServerSettings(
            redis,
            configuration["Prefix"] ?? "wshub",
            Milliseconds(configuration, "HeartbeatMs", 2000),
            Milliseconds(configuration, "InstanceTimeoutMs", 8000),
            Integer(configuration, "DrainBatchSize", 100),
            Milliseconds(configuration, "DrainBatchIntervalMs", 200),
            Milliseconds(configuration, "DrainTimeoutMs", 20000));
    }

    private static TimeSpan Milliseconds(IConfiguration configuration, string key, int defaultValue)
    {
        return TimeSpan.FromMilliseconds(Integer(configuration, key, defaultValue));
    }

    private static int Integer(IConfiguration configuration, string key, int defaultValue)
    {
        var text = configuration[key];
        if (text is null)
        {
            return defaultValue;
        }

        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new InvalidOperationException($"The setting {key} must be an integer, but is '{text}'.");
    }
}
