namespace WsHub.SignalR.Tests.Infrastructure;

/// <summary>
/// One measurement that <see cref="MetricRecorder"/> received: the instrument name, the value and its tags.
/// </summary>
public sealed record MetricMeasurement(string Instrument, double Value, IReadOnlyList<KeyValuePair<string, object?>> Tags);
