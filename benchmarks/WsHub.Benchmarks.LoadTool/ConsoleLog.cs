namespace WsHub.Benchmarks.LoadTool;

/// <summary>
/// Progress lines on standard error, so that standard output carries only the results table.
/// </summary>
internal static class ConsoleLog
{
    public static void Write(string message)
        => Console.Error.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {message}");
}
