namespace WsHub.Benchmarks.LoadTool.Results;

/// <summary>
/// Nearest-rank percentiles of sorted samples.
/// </summary>
internal static class Percentiles
{
    /// <summary>Returns the nearest-rank percentile <paramref name="percent"/> (0-100), or NaN for no samples.</summary>
    public static double Of(double[] sorted, double percent)
    {
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        var rank = (int)Math.Ceiling(percent / 100 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }
}
