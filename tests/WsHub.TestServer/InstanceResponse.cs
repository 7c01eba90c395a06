namespace WsHub.TestServer;

/// <summary>The body of <c>/instance</c>.</summary>
/// <param name="InstanceId">The WsHub instance id of this process.</param>
/// <param name="ProcessId">The operating system process id.</param>
public sealed record InstanceResponse(string InstanceId, int ProcessId);
