using WsHub.Benchmarks.LoadTool.Figures;
using WsHub.Benchmarks.LoadTool.Processes;
using WsHub.Benchmarks.LoadTool.Results;

namespace WsHub.Benchmarks.LoadTool;

/// <summary>
/// One run: starts Redis, measures every selected backplane in turn on it, and writes the table and the chart.
/// </summary>
internal static class BenchmarkRun
{
    /// <summary>Returns the exit code: 0 when every figure ran, 2 when some failed (the table is written anyway).</summary>
    public static async Task<int> RunAsync(LoadToolOptions options, ChildProcessRegistry registry, CancellationToken cancellationToken)
    {
        var results = new ResultSet();
        var failures = 0;
        await using (var redis = await RedisServerProcess.StartAsync(options.RedisServerPath, registry, cancellationToken))
        {
            ConsoleLog.Write($"redis-server listens on {redis.Configuration}");
            foreach (var backplane in options.Backplanes)
            {
                var context = new FigureContext(backplane, options, redis, registry, results, cancellationToken);
                failures += await BackplaneRunner.RunAsync(context);
            }
        }

        var metrics = MetricCatalog.Create(options);
        var chartName = Path.GetFileName(options.ChartPath);
        var table = MarkdownReport.Build(metrics, results, options, chartName);
        WriteFile(options.OutputPath, table);
        WriteFile(options.ChartPath, SvgChart.Build(metrics, results, options.Figures));
        Console.Out.WriteLine(table);
        ConsoleLog.Write($"table written to {options.OutputPath}, chart to {options.ChartPath}");

        if (failures > 0)
        {
            ConsoleLog.Write($"{failures} figure run(s) failed; see the log above");
            return 2;
        }

        return 0;
    }

    private static void WriteFile(string path, string text)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        File.WriteAllText(path, text);
    }
}
