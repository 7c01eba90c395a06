namespace WsHub.TestServer;

/// <summary>Log messages of the test server process, which tests read from its standard output.</summary>
internal static partial class TestServerLog
{
    [LoggerMessage(EventId = 1, EventName = "TestServerStarted", Level = LogLevel.Information,
        Message = "Test server process {ProcessId} listens on {Urls}.")]
    public static partial void Started(ILogger logger, int processId, string urls);

    [LoggerMessage(EventId = 2, EventName = "TestServerStopped", Level = LogLevel.Information,
        Message = "Test server process {ProcessId} stopped.")]
    public static partial void Stopped(ILogger logger, int processId);
}
