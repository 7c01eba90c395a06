using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;

namespace WsHub.SignalR.Tests.Infrastructure;

/// <summary>
/// Records the measurements of the <c>WsHub.SignalR</c> meter with a <see cref="MeterListener"/>, so that tests can
/// read counters, histograms and observable gauges.
/// </summary>
/// <remarks>
/// A meter created through the app's <see cref="IMeterFactory"/> has that factory as its scope, so a recorder bound
/// to one app records only that app. A meter without a scope (a static meter) is shared by every app in the test
/// process, and then the recorder records the measurements of all of them.
/// </remarks>
public sealed class MetricRecorder : IDisposable
{
    /// <summary>The name of the meter that WsHub publishes.</summary>
    public const string MeterName = "WsHub.SignalR";

    private readonly MeterListener _listener = new();
    private readonly object? _scope;
    private readonly ConcurrentQueue<MetricMeasurement> _measurements = new();
    private readonly ConcurrentQueue<MetricMeasurement> _observations = new();
    private readonly object _observeLock = new();
    private bool _observing;

    /// <summary>
    /// Starts recording the meter of the app behind <paramref name="services"/>, or of every app when null.
    /// </summary>
    public MetricRecorder(IServiceProvider? services = null)
    {
        _scope = services?.GetService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == MeterName && IsInScope(instrument.Meter))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>
    /// Returns the sum of the measurements of a counter, counting only those with the given tag value when
    /// <paramref name="tagName"/> is set.
    /// </summary>
    public double Sum(string instrument, string? tagName = null, string? tagValue = null) =>
        Matching(_measurements, instrument, tagName, tagValue).Sum(measurement => measurement.Value);

    /// <summary>Returns how many measurements an instrument has recorded, such as the samples of a histogram.</summary>
    public int Count(string instrument) => Matching(_measurements, instrument, null, null).Count();

    /// <summary>
    /// Polls every observable instrument once and returns the sum of the values of <paramref name="instrument"/>
    /// over the apps in scope, or null when no app reported it.
    /// </summary>
    public double? Observe(string instrument)
    {
        lock (_observeLock)
        {
            _observations.Clear();
            _observing = true;
            try
            {
                _listener.RecordObservableInstruments();
            }
            finally
            {
                _observing = false;
            }

            var values = Matching(_observations, instrument, null, null).ToList();
            return values.Count == 0 ? null : values.Sum(measurement => measurement.Value);
        }
    }

    /// <summary>Returns the recorded measurements, for failure messages.</summary>
    public string Describe() =>
        string.Join("; ", _measurements.GroupBy(m => m.Instrument + Tags(m)).Select(g => $"{g.Key}={g.Sum(m => m.Value)}"));

    /// <inheritdoc />
    public void Dispose() => _listener.Dispose();

    private static IEnumerable<MetricMeasurement> Matching(
        IEnumerable<MetricMeasurement> source,
        string instrument,
        string? tagName,
        string? tagValue) =>
        source.Where(measurement => measurement.Instrument == instrument
            && (tagName is null || measurement.Tags.Any(tag => tag.Key == tagName && Equals(tag.Value?.ToString(), tagValue))));

    private static string Tags(MetricMeasurement measurement) =>
        measurement.Tags.Count == 0 ? string.Empty : "{" + string.Join(",", measurement.Tags.Select(t => t.Key + "=" + t.Value)) + "}";

    private bool IsInScope(Meter meter) => _scope is null || meter.Scope is null || ReferenceEquals(meter.Scope, _scope);

    private void Record<T>(Instrument instrument, T value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        where T : struct
    {
        var measurement = new MetricMeasurement(instrument.Name, Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture), tags.ToArray());
        if (instrument.IsObservable)
        {
            if (_observing)
            {
                _observations.Enqueue(measurement);
            }

            return;
        }

        _measurements.Enqueue(measurement);
    }
}
