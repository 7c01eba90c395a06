using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Health;

namespace SampleGateway;

/// <summary>
/// Builds the gateway app: a YARP reverse proxy in front of several SampleChat instances, with a session affinity
/// cookie and health checks, so that clients of an instance that stops reconnect to another one through the same
/// address. Program and the tests both build the app here.
/// </summary>
public static class GatewayApp
{
    /// <summary>The configuration key with the instance addresses, separated by commas.</summary>
    public const string InstancesKey = "Instances";

    /// <summary>The configuration key with the health probe interval in seconds.</summary>
    public const string HealthCheckSecondsKey = "HealthCheckSeconds";

    /// <summary>The path each instance serves for the health probe; it fails while an instance stops.</summary>
    public const string HealthPath = "/healthz";

    /// <summary>The name of the cookie that pins a browser to one instance.</summary>
    public const string AffinityCookieName = "WsHubGatewayInstance";

    private const string ClusterId = "chat";
    private const double DefaultHealthCheckSeconds = 1;

    /// <summary>
    /// Creates the gateway app from command-line arguments, for example
    /// <c>--urls http://127.0.0.1:5100 --Instances http://127.0.0.1:5101,http://127.0.0.1:5102</c>.
    /// </summary>
    /// <param name="args">The command-line arguments, read as configuration.</param>
    /// <returns>The app, built and not yet started.</returns>
    /// <exception cref="InvalidOperationException">The instance list is missing or invalid.</exception>
    public static WebApplication Create(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);

        var builder = WebApplication.CreateBuilder(args);

        // YARP logs every forwarded request at Information and every failed probe with a stack trace, once a second
        // for as long as an instance is down. Health state changes stay visible. The filters live here rather than
        // in appsettings.json, because the tests load the gateway next to SampleChat, whose appsettings.json would
        // take the same place in the output folder.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Yarp", LogLevel.Warning);
        builder.Logging.AddFilter("Yarp.ReverseProxy.Health.DestinationHealthUpdater", LogLevel.Information);
        builder.Logging.AddFilter("Yarp.ReverseProxy.Health.ActiveHealthCheckMonitor", LogLevel.Error);

        var instances = ParseInstances(builder.Configuration[InstancesKey]);
        var interval = ParseInterval(builder.Configuration[HealthCheckSecondsKey]);

        builder.Services
            .AddReverseProxy()
            .LoadFromMemory([CreateRoute()], [CreateCluster(instances, interval)]);

        var app = builder.Build();
        app.MapReverseProxy();

        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(GatewayApp));
        GatewayLog.Forwarding(logger, string.Join(", ", instances), HealthPath, interval.TotalSeconds);
        return app;
    }

    /// <summary>
    /// Parses the instance list: one or more absolute http or https addresses, separated by commas.
    /// </summary>
    /// <param name="value">The configured value.</param>
    /// <returns>The addresses in the configured order.</returns>
    /// <exception cref="InvalidOperationException">The list is missing or an entry is not an http or https address.</exception>
    public static IReadOnlyList<Uri> ParseInstances(string? value)
    {
        var entries = (value ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (entries.Length == 0)
        {
            throw new InvalidOperationException(
                $"No SampleChat instances are configured. Pass --{InstancesKey} http://127.0.0.1:5101,http://127.0.0.1:5102.");
        }

        var instances = new List<Uri>(entries.Length);
        foreach (var entry in entries)
        {
            var valid = Uri.TryCreate(entry, UriKind.Absolute, out var uri)
                && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
            if (!valid)
            {
                throw new InvalidOperationException(
                    $"The instance address '{entry}' is invalid. Use an absolute http or https address such as http://127.0.0.1:5101.");
            }

            instances.Add(uri!);
        }

        return instances;
    }

    private static TimeSpan ParseInterval(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return TimeSpan.FromSeconds(DefaultHealthCheckSeconds);
        }

        if (!double.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out var seconds) || seconds <= 0 || seconds > 60)
        {
            throw new InvalidOperationException(
                $"{HealthCheckSecondsKey} is '{value}'; it must be a number of seconds greater than 0 and at most 60.");
        }

        return TimeSpan.FromSeconds(seconds);
    }

    private static RouteConfig CreateRoute()
    {
        return new RouteConfig
        {
            RouteId = "all",
            ClusterId = ClusterId,
            Match = new RouteMatch { Path = "{**catch-all}" },
        };
    }

    private static ClusterConfig CreateCluster(IReadOnlyList<Uri> instances, TimeSpan interval)
    {
        var destinations = new Dictionary<string, DestinationConfig>(StringComparer.Ordinal);
        for (var i = 0; i < instances.Count; i++)
        {
            destinations[$"instance-{i + 1}"] = new DestinationConfig { Address = instances[i].ToString() };
        }

        return new ClusterConfig
        {
            ClusterId = ClusterId,
            Destinations = destinations,

            // New browsers take turns, so two fresh browsers land on different instances.
            LoadBalancingPolicy = "RoundRobin",

            // The cookie keeps the negotiate request and the WebSocket of a SignalR connection on one instance,
            // which the connection needs, and keeps a browser on the instance it started on. HashCookie stores a
            // hash of the destination id and needs no data protection keys. When the pinned instance is unhealthy,
            // Redistribute picks another one and rewrites the cookie.
            SessionAffinity = new SessionAffinityConfig
            {
                Enabled = true,
                Policy = "HashCookie",
                FailurePolicy = "Redistribute",
                AffinityKeyName = AffinityCookieName,
                Cookie = new SessionAffinityCookieConfig { HttpOnly = true, IsEssential = true },
            },

            // The active probe finds a stopping instance, whose /healthz fails while it still drains; one failure
            // is enough. The passive check marks an instance unhealthy when forwarding to it fails at the transport
            // level, which covers an instance that died between two probes, and lets it back in after 10 seconds.
            HealthCheck = new HealthCheckConfig
            {
                AvailableDestinationsPolicy = HealthCheckConstants.AvailableDestinations.HealthyOrPanic,
                Active = new ActiveHealthCheckConfig
                {
                    Enabled = true,
                    Interval = interval,
                    Timeout = interval,
                    Policy = "ConsecutiveFailures",
                    Path = HealthPath,
                },
                Passive = new PassiveHealthCheckConfig
                {
                    Enabled = true,
                    Policy = "TransportFailureRate",
                    ReactivationPeriod = TimeSpan.FromSeconds(10),
                },
            },
            Metadata = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [ConsecutiveFailuresHealthPolicyOptions.ThresholdMetadataName] = "1",
            },
        };
    }
}
