using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.SignalR.Client;
using WsHub.SignalR.Tests.Infrastructure;

namespace WsHub.SignalR.Tests.Reliability;

/// <summary>
/// Records when a client receives each numbered <see cref="TestHub.MessageMethod"/> message, on a
/// <see cref="Stopwatch"/> time line that the sender shares, to check order, duplicates and latency.
/// </summary>
internal sealed class ArrivalLog
{
    private readonly ConcurrentQueue<Arrival> _arrivals = new();

    private ArrivalLog(string name) => Name = name;

    /// <summary>The name of the client in failure messages, such as <c>B1</c>.</summary>
    public string Name { get; }

    /// <summary>The number of messages received so far.</summary>
    public int Count => _arrivals.Count;

    /// <summary>The received messages in arrival order.</summary>
    public IReadOnlyList<Arrival> Arrivals => [.. _arrivals];

    /// <summary>
    /// Adds a second handler for <see cref="TestHub.MessageMethod"/> to the client that records each message whose
    /// text is a number, with the time it arrived.
    /// </summary>
    public static ArrivalLog Attach(TestClient client, string name)
    {
        ArgumentNullException.ThrowIfNull(client);

        var log = new ArrivalLog(name);
        client.Connection.On<string>(TestHub.MessageMethod, text =>
        {
            if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            {
                log._arrivals.Enqueue(new Arrival(number, Stopwatch.GetTimestamp()));
            }
        });
        return log;
    }

    /// <summary>
    /// Describes how the received numbers differ from 0 to <paramref name="lastNumber"/> once each in order: the
    /// missing and duplicate numbers and the first one out of order.
    /// </summary>
    public string DescribeDifferences(long lastNumber)
    {
        var numbers = Arrivals.Select(arrival => arrival.Number).ToList();
        var missing = Enumerable.Range(0, (int)lastNumber + 1).Select(n => (long)n).Except(numbers).ToList();
        var duplicates = numbers.GroupBy(n => n).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        var outOfOrder = numbers.Zip(numbers.Skip(1)).FirstOrDefault(pair => pair.Second < pair.First);
        return $"{numbers.Count} received; missing [{Ranges(missing)}]; duplicates [{Ranges(duplicates)}]; "
            + (outOfOrder == default ? "none out of order" : $"{outOfOrder.Second} arrived after {outOfOrder.First}");
    }

    private static string Ranges(List<long> numbers)
    {
        var ranges = new List<string>();
        var sorted = numbers.Order().ToList();
        for (var start = 0; start < sorted.Count;)
        {
            var end = start;
            while (end + 1 < sorted.Count && sorted[end + 1] == sorted[end] + 1)
            {
                end++;
            }

            ranges.Add(start == end ? $"{sorted[start]}" : $"{sorted[start]}-{sorted[end]}");
            start = end + 1;
        }

        return string.Join(",", ranges);
    }

    /// <summary>One received message: its number and the <see cref="Stopwatch"/> timestamp of its arrival.</summary>
    public readonly record struct Arrival(long Number, long Timestamp);
}
