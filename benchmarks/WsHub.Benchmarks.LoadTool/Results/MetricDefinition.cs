namespace WsHub.Benchmarks.LoadTool.Results;

/// <summary>
/// One row of the results table.
/// </summary>
/// <param name="Id">The key under which rounds store values.</param>
/// <param name="Figure">The figure number, 1 to 7.</param>
/// <param name="Name">The row label.</param>
/// <param name="Unit">The unit of the values.</param>
/// <param name="HigherIsBetter">Whether a larger value is the better one, for the chart legend.</param>
/// <param name="TargetText">The WsHub target in words, or empty when the row has none.</param>
/// <param name="CheckTarget">Returns "met" or the measured gap, given all results. Null when the row has no target.</param>
/// <param name="InChart">Whether the chart shows the row.</param>
internal sealed record MetricDefinition(
    string Id,
    int Figure,
    string Name,
    string Unit,
    bool HigherIsBetter,
    string TargetText,
    Func<ResultSet, string>? CheckTarget,
    bool InChart);
