using System.Globalization;
using System.Net;
using System.Text;

namespace WsHub.Benchmarks.LoadTool.Results;

/// <summary>
/// Draws one group of horizontal bars per metric, each backplane's median divided by official's, so official is 1.
/// </summary>
internal static class SvgChart
{
    private const int LabelWidth = 330;
    private const int PlotWidth = 480;
    private const int BarHeight = 11;
    private const int GroupGap = 12;
    private const int Top = 50;
    private const double AxisMax = 4;

    private static readonly (Backplane Backplane, string Color)[] Series =
    [
        (Backplane.None, "#9e9e9e"),
        (Backplane.Official, "#1f77b4"),
        (Backplane.WsHub, "#d62728"),
    ];

    public static string Build(IReadOnlyList<MetricDefinition> metrics, ResultSet results, IReadOnlySet<int> figures)
    {
        var rows = metrics
            .Where(m => m.InChart && figures.Contains(m.Figure))
            .Where(m => results.Median(m.Id, Backplane.Official) is > 0)
            .ToList();
        var groupHeight = (BarHeight * Series.Length) + GroupGap;
        var height = Top + (rows.Count * groupHeight) + 40;
        var width = LabelWidth + PlotWidth + 80;
        var svg = new StringBuilder();
        svg.AppendLine(Invariant(
            $"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' font-family='sans-serif' font-size='11'>"));
        svg.AppendLine(Invariant($"<rect width='{width}' height='{height}' fill='white'/>"));
        svg.AppendLine(
            "<text x='10' y='18' font-size='13' font-weight='bold'>"
            + "Medians relative to official = 1 (bars past 4x are cut, and the label shows the value)</text>");

        var legendX = 10;
        foreach (var (backplane, color) in Series)
        {
            svg.AppendLine(Invariant($"<rect x='{legendX}' y='28' width='10' height='10' fill='{color}'/>"));
            svg.AppendLine(Invariant($"<text x='{legendX + 14}' y='37'>{BackplaneNames.ToName(backplane)}</text>"));
            legendX += 90;
        }

        // Axis lines at 0, 1, 2, 3 and 4 times official.
        for (var tick = 0; tick <= AxisMax; tick++)
        {
            var x = LabelWidth + (tick / AxisMax * PlotWidth);
            var stroke = tick == 1 ? "#444" : "#ddd";
            svg.AppendLine(Invariant($"<line x1='{x:F1}' y1='{Top - 4}' x2='{x:F1}' y2='{height - 30}' stroke='{stroke}'/>"));
            svg.AppendLine(Invariant($"<text x='{x:F1}' y='{height - 16}' text-anchor='middle'>{tick}x</text>"));
        }

        var y = Top;
        foreach (var metric in rows)
        {
            var official = results.Median(metric.Id, Backplane.Official)!.Value;
            var label = $"F{metric.Figure} {metric.Name} ({metric.Unit}, {(metric.HigherIsBetter ? "higher" : "lower")} is better)";
            var labelY = y + (BarHeight * 2) - 2;
            svg.AppendLine(Invariant($"<text x='{LabelWidth - 6}' y='{labelY}' text-anchor='end'>{WebUtility.HtmlEncode(label)}</text>"));
            foreach (var (backplane, color) in Series)
            {
                if (results.Median(metric.Id, backplane) is { } value && !double.IsNaN(value))
                {
                    var ratio = value / official;
                    var barWidth = Math.Min(ratio, AxisMax) / AxisMax * PlotWidth;
                    var bar = Invariant($"<rect x='{LabelWidth}' y='{y}' width='{barWidth:F1}' height='{BarHeight - 2}' fill='{color}'/>");
                    svg.AppendLine(bar);
                    var valueX = LabelWidth + barWidth + 4;
                    svg.AppendLine(Invariant($"<text x='{valueX:F1}' y='{y + BarHeight - 3}' font-size='9'>{ratio:F2}</text>"));
                }

                y += BarHeight;
            }

            y += GroupGap;
        }

        svg.AppendLine("</svg>");
        return svg.ToString();
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
