using System.Text;

namespace WsHub.Benchmarks.LoadTool.Results;

/// <summary>
/// Writes the results as a Markdown table: one row per metric, one column per backplane, plus ratios and targets.
/// </summary>
internal static class MarkdownReport
{
    public const string TableHeader =
        "| Fig | Metric | Unit | none | official | wshub | wshub/official | wshub/none | WsHub target | Result |";

    public static string Build(IReadOnlyList<MetricDefinition> metrics, ResultSet results, LoadToolOptions options, string chartFileName)
    {
        var text = new StringBuilder();
        var arguments = options.CommandLine.Length == 0 ? "(defaults)" : options.CommandLine;
        text.AppendLine("<!-- Written by WsHub.Benchmarks.LoadTool; medians of the rounds. -->");
        text.AppendLine();
        text.AppendLine(
            $"Rounds: {options.Rounds}. Protocol: {(options.MessagePack ? "messagepack" : "json")}. "
            + $"Instances: {options.Instances} (none: 1). Arguments: `{arguments}`.");
        text.AppendLine();
        text.AppendLine(TableHeader);
        text.AppendLine("|---:|---|---|---:|---:|---:|---:|---:|---|---|");
        foreach (var metric in metrics.Where(m => options.Figures.Contains(m.Figure)))
        {
            var none = results.Median(metric.Id, Backplane.None);
            var official = results.Median(metric.Id, Backplane.Official);
            var wshub = results.Median(metric.Id, Backplane.WsHub);
            text.Append("| ").Append(metric.Figure)
                .Append(" | ").Append(metric.Name)
                .Append(" | ").Append(metric.Unit)
                .Append(" | ").Append(Cell(none))
                .Append(" | ").Append(Cell(official))
                .Append(" | ").Append(Cell(wshub))
                .Append(" | ").Append(RatioCell(wshub, official))
                .Append(" | ").Append(RatioCell(wshub, none))
                .Append(" | ").Append(metric.TargetText.Replace("|", "\\|", StringComparison.Ordinal))
                .Append(" | ").Append(metric.CheckTarget?.Invoke(results) ?? string.Empty)
                .AppendLine(" |");
        }

        text.AppendLine();
        text.AppendLine($"![WsHub and none relative to official = 1]({chartFileName})");
        return text.ToString();
    }

    private static string Cell(double? value) => value is null ? "–" : MetricCatalog.Format(value.Value);

    private static string RatioCell(double? value, double? reference)
    {
        if (value is null || reference is null || reference.Value == 0 || double.IsNaN(value.Value) || double.IsNaN(reference.Value))
        {
            return "–";
        }

        return (value.Value / reference.Value).ToString("F2", System.Globalization.CultureInfo.InvariantCulture) + "x";
    }
}
