using System.Diagnostics.Metrics;

namespace WsHub.SignalR.Internal;

/// <summary>
/// The instruments of the backplane, named after OpenTelemetry conventions under the meter <see cref="MeterName"/>.
/// One instance serves every hub of an app; gauges sum over the hubs' lifetime managers.
/// </summary>
internal sealed class WsHubMetrics : IDisposable
{
    public const string MeterName = "WsHub.SignalR";

    private readonly Meter _meter;

    public WsHubMetrics(WsHubManagerCatalog catalog, IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);

        Published = _meter.CreateCounter<long>("wshub.messages.published", "{message}", "Messages published to Redis for other instances.");
        Received = _meter.CreateCounter<long>("wshub.messages.received", "{message}", "Valid messages received from Redis.");
        Delivered = _meter.CreateCounter<long>("wshub.messages.delivered", "{message}", "Messages written to local connections.");
        Dropped = _meter.CreateCounter<long>("wshub.messages.dropped", "{message}", "Messages dropped, by reason.");
        Buffered = _meter.CreateCounter<long>("wshub.messages.buffered", "{message}", "Messages kept while Redis was unreachable.");
        ConnectionsAborted = _meter.CreateCounter<long>("wshub.connections.aborted", "{connection}", "Connections aborted by the backplane, by reason.");
        PublishDuration = _meter.CreateHistogram<double>("wshub.publish.duration", "s", "Time from handing a message to Redis until Redis acknowledged it.");

        _meter.CreateObservableGauge("wshub.connections", () => catalog.Managers.Sum(manager => (long)manager.ConnectionCount), "{connection}", "Local connections.");
        _meter.CreateObservableGauge("wshub.groups", () => catalog.Managers.Sum(manager => (long)manager.GroupCount), "{group}", "Groups with local members.");
        _meter.CreateObservableGauge("wshub.channels.subscribed", () => catalog.Managers.Sum(manager => (long)manager.SubscribedChannelCount), "{channel}", "Redis channels subscribed.");
    }

    public Counter<long> Published { get; }

    public Counter<long> Received { get; }

    public Counter<long> Delivered { get; }

    public Counter<long> Dropped { get; }

    public Counter<long> Buffered { get; }

    public Counter<long> ConnectionsAborted { get; }

    public Histogram<double> PublishDuration { get; }

    public void AddDropped(string reason, long count = 1) => Dropped.Add(count, new KeyValuePair<string, object?>("reason", reason));

    public void Dispose() => _meter.Dispose();
}
