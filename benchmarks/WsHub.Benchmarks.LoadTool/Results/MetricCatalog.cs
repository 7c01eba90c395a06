using System.Globalization;

namespace WsHub.Benchmarks.LoadTool.Results;

/// <summary>
/// The rows of the results table and the WsHub targets they are checked against.
/// </summary>
internal static class MetricCatalog
{
    public const string FanOutOneSender = "fanout-1";
    public const string FanOutFourSenders = "fanout-4";
    public const string LatencyP50 = "latency-p50";
    public const string LatencyP99 = "latency-p99";
    public const string LatencyMax = "latency-max";
    public const string ConnectRate = "connect-rate";
    public const string ConnectGrouped = "connect-grouped";
    public const string Channels = "channels";
    public const string ChannelsBaseline = "channels-baseline";
    public const string MemoryPerThousand = "memory-per-1000";
    public const string HeapPerThousand = "heap-per-1000";
    public const string StallP99Without = "stall-p99-without";
    public const string StallP99With = "stall-p99-with";
    public const string StallRatio = "stall-ratio";
    public const string LossExpected = "loss-expected";
    public const string LossLost = "loss-lost";
    public const string LossFailed = "loss-failed";
    public const string LossDuplicates = "loss-duplicates";

    public static IReadOnlyList<MetricDefinition> Create(LoadToolOptions options) =>
    [
        new(FanOutOneSender, 1, "Group fan-out, 1 sender", "deliveries/s", true, ">= 2x official",
            r => AtLeast(r, FanOutOneSender, Backplane.Official, 2), true),
        new(FanOutFourSenders, 1, "Group fan-out, 4 senders", "deliveries/s", true, ">= 3x official",
            r => AtLeast(r, FanOutFourSenders, Backplane.Official, 3), true),
        new(LatencyP50, 2, $"Latency p50 at {options.Rate} msg/s", "ms", false, string.Empty, null, true),
        new(LatencyP99, 2, $"Latency p99 at {options.Rate} msg/s", "ms", false, "<= 0.5x official",
            r => AtMost(r, LatencyP99, Backplane.Official, 0.5), true),
        new(LatencyMax, 2, $"Latency max at {options.Rate} msg/s", "ms", false, string.Empty, null, true),
        new(ConnectRate, 3, $"Connect rate, {options.ConnectClients} clients", "connects/s", true, ">= 0.9x none and >= official",
            CheckConnectRate, true),
        new(ConnectGrouped, 3, $"Time until all {options.ConnectClients} are in groups", "s", false, string.Empty, null, true),
        new(Channels, 4, $"Redis channels, {options.IdleClients} clients in {options.IdleGroups} groups", "channels", false,
            $"<= baseline + {options.IdleGroups} groups", r => CheckChannels(r, options.IdleGroups), true),
        new(ChannelsBaseline, 4, "Redis channels, 1 client per instance, no group (baseline)", "channels", false,
            string.Empty, null, false),
        new(MemoryPerThousand, 5, "Server working set per 1000 idle connections", "MiB", false, "<= official",
            r => AtMost(r, MemoryPerThousand, Backplane.Official, 1), true),
        new(HeapPerThousand, 5, "Server managed heap per 1000 idle connections", "MiB", false, string.Empty, null, false),
        new(StallP99Without, 6, "Group p99, all members read", "ms", false, string.Empty, null, true),
        new(StallP99With, 6, "Group p99, one member never reads", "ms", false, string.Empty, null, true),
        new(StallRatio, 6, "Stalled p99 / unstalled p99", "ratio", false, "<= 1.2",
            r => OwnAtMost(r, StallRatio, 1.2), false),
        new(LossExpected, 7, "Deliveries expected while Redis restarts", "messages", true, string.Empty, null, false),
        new(LossLost, 7, "Deliveries lost while Redis restarts", "messages", false, "0", r => OwnAtMost(r, LossLost, 0), false),
        new(LossFailed, 7, "Failed hub calls while Redis restarts", "calls", false, string.Empty, null, false),
        new(LossDuplicates, 7, "Duplicate deliveries while Redis restarts", "messages", false, string.Empty, null, false),
    ];

    public static string Format(double value)
    {
        if (double.IsNaN(value))
        {
            return "n/a";
        }

        var magnitude = Math.Abs(value);
        string format;
        if (magnitude >= 100 || value == Math.Floor(value))
        {
            format = "N0";
        }
        else if (magnitude >= 10)
        {
            format = "F1";
        }
        else
        {
            format = "F2";
        }

        return value.ToString(format, CultureInfo.InvariantCulture);
    }

    private static string AtLeast(ResultSet results, string metric, Backplane reference, double factor)
    {
        var (ratio, missing) = Ratio(results, metric, reference);
        if (missing is not null)
        {
            return missing;
        }

        return ratio >= factor ? $"met ({ratio:F2}x)" : $"gap: {ratio:F2}x of {factor}x";
    }

    private static string AtMost(ResultSet results, string metric, Backplane reference, double factor)
    {
        var (ratio, missing) = Ratio(results, metric, reference);
        if (missing is not null)
        {
            return missing;
        }

        return ratio <= factor ? $"met ({ratio:F2}x)" : $"gap: {ratio:F2}x, target <= {factor}x";
    }

    private static string OwnAtMost(ResultSet results, string metric, double limit)
    {
        var value = results.Median(metric, Backplane.WsHub);
        if (value is null)
        {
            return "not measured";
        }

        return value <= limit ? $"met ({Format(value.Value)})" : $"gap: {Format(value.Value)}, target <= {Format(limit)}";
    }

    private static string CheckConnectRate(ResultSet results)
    {
        var wshub = results.Median(ConnectRate, Backplane.WsHub);
        var none = results.Median(ConnectRate, Backplane.None);
        var official = results.Median(ConnectRate, Backplane.Official);
        if (wshub is null || none is null || official is null)
        {
            return "not measured";
        }

        var ofNone = wshub.Value / none.Value;
        var ofOfficial = wshub.Value / official.Value;
        return ofNone >= 0.9 && ofOfficial >= 1
            ? $"met ({ofNone:F2}x none, {ofOfficial:F2}x official)"
            : $"gap: {ofNone:F2}x none, {ofOfficial:F2}x official";
    }

    private static string CheckChannels(ResultSet results, int groups)
    {
        var channels = results.Median(Channels, Backplane.WsHub);
        var baseline = results.Median(ChannelsBaseline, Backplane.WsHub);
        if (channels is null || baseline is null)
        {
            return "not measured";
        }

        var limit = baseline.Value + groups;
        return channels <= limit
            ? $"met ({Format(channels.Value)} <= {Format(limit)})"
            : $"gap: {Format(channels.Value)} > {Format(limit)}";
    }

    private static (double Ratio, string? Missing) Ratio(ResultSet results, string metric, Backplane reference)
    {
        var wshub = results.Median(metric, Backplane.WsHub);
        var other = results.Median(metric, reference);
        if (wshub is null || other is null)
        {
            return (0, "not measured");
        }

        if (other.Value == 0)
        {
            return (0, $"no ratio: {BackplaneNames.ToName(reference)} is 0");
        }

        return (wshub.Value / other.Value, null);
    }
}
