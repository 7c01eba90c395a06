using WsHub.Benchmarks.LoadTool.Processes;
using WsHub.Benchmarks.LoadTool.Serving;

namespace WsHub.Benchmarks.LoadTool;

/// <summary>
/// Entry point. The <c>serve</c> command runs one server instance, and anything else is a measurement run.
/// </summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "serve")
        {
            return await ServeCommand.RunAsync(args[1..]);
        }

        LoadToolOptions options;
        try
        {
            options = LoadToolOptions.Parse(args.Length > 0 && args[0] == "run" ? args[1..] : args);
        }
        catch (ArgumentException exception)
        {
            Console.Error.WriteLine(exception.Message);
            Console.Error.WriteLine(LoadToolOptions.Usage);
            return 1;
        }

        if (options.ShowHelp)
        {
            Console.Out.WriteLine(LoadToolOptions.Usage);
            return 0;
        }

        var registry = new ChildProcessRegistry();
        using var stop = new CancellationTokenSource(options.MaxRunTime);
        Console.CancelKeyPress += (_, e) =>
        {
            // Stop in an orderly way, and let the finally block below kill what is left.
            e.Cancel = true;
            stop.Cancel();
        };
        AppDomain.CurrentDomain.ProcessExit += (_, _) => registry.KillAll();

        try
        {
            return await BenchmarkRun.RunAsync(options, registry, stop.Token);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            ConsoleLog.Write($"stopped by Ctrl-C or by the time limit of {options.MaxRunTime.TotalMinutes} min; no table written");
            return 3;
        }
        catch (Exception exception)
        {
            ConsoleLog.Write($"run failed: {exception}");
            return 2;
        }
        finally
        {
            registry.KillAll();
        }
    }
}
