namespace SampleGateway;

/// <summary>
/// Log messages of the gateway.
/// </summary>
internal static partial class GatewayLog
{
    [LoggerMessage(EventId = 1, EventName = "Forwarding", Level = LogLevel.Information,
        Message = "Forwarding to {Destinations}, probing {HealthPath} every {IntervalSeconds} seconds.")]
    public static partial void Forwarding(ILogger logger, string destinations, string healthPath, double intervalSeconds);
}
