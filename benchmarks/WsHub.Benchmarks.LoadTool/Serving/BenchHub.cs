using Microsoft.AspNetCore.SignalR;

namespace WsHub.Benchmarks.LoadTool.Serving;

/// <summary>
/// The hub that every server instance runs, whatever the backplane.
/// </summary>
internal sealed class BenchHub : Hub
{
    /// <summary>The client method that receives group messages: sent timestamp, sequence number, payload.</summary>
    public const string ReceiveMethod = "m";

    public Task Join(string group) => Groups.AddToGroupAsync(Context.ConnectionId, group);

    /// <summary>
    /// Sends one message to a group. <paramref name="sentTimestamp"/> is a <see cref="System.Diagnostics.Stopwatch"/>
    /// timestamp of the sending client, which runs on the same machine as the receivers.
    /// </summary>
    public Task Publish(string group, long sentTimestamp, long sequence, byte[] payload)
        => Clients.Group(group).SendAsync(ReceiveMethod, sentTimestamp, sequence, payload);
}
