namespace WsHub.Benchmarks.LoadTool.Results;

/// <summary>
/// The values of every round, per metric and backplane.
/// </summary>
internal sealed class ResultSet
{
    private readonly Dictionary<(string Metric, Backplane Backplane), List<double>> _values = [];

    public void Add(string metric, Backplane backplane, double value)
    {
        if (!_values.TryGetValue((metric, backplane), out var list))
        {
            list = [];
            _values[(metric, backplane)] = list;
        }

        list.Add(value);
    }

    /// <summary>Returns the median of the rounds, or null when the metric was not measured for the backplane.</summary>
    public double? Median(string metric, Backplane backplane)
    {
        if (!_values.TryGetValue((metric, backplane), out var list) || list.Count == 0)
        {
            return null;
        }

        var sorted = list.Order().ToArray();
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    public int RoundCount(string metric, Backplane backplane)
        => _values.TryGetValue((metric, backplane), out var list) ? list.Count : 0;
}
