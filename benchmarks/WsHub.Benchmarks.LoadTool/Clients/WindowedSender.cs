using System.Diagnostics;
using Microsoft.AspNetCore.SignalR.Client;

namespace WsHub.Benchmarks.LoadTool.Clients;

/// <summary>
/// Sends group messages as fast as the server completes them, with a fixed number of InvokeAsync calls in flight.
/// </summary>
internal static class WindowedSender
{
    /// <summary>
    /// Sends to the groups in turn, starting at <paramref name="firstGroup"/>, until <paramref name="stop"/> is
    /// cancelled or <paramref name="maxMessages"/> are sent.
    /// </summary>
    public static async Task<SendResult> RunAsync(
        HubConnection connection,
        Func<long, string> groupOf,
        int firstGroup,
        int window,
        byte[] payload,
        long maxMessages,
        CancellationToken stop)
    {
        var inFlight = new Queue<Task>();
        long sent = 0;
        long failed = 0;
        while (!stop.IsCancellationRequested && sent < maxMessages)
        {
            if (inFlight.Count >= window)
            {
                failed += await ObserveAsync(inFlight.Dequeue());
                continue;
            }

            var arguments = new object[] { groupOf(firstGroup + sent), Stopwatch.GetTimestamp(), sent, payload };
            inFlight.Enqueue(connection.InvokeCoreAsync("Publish", arguments, CancellationToken.None));
            sent++;
        }

        while (inFlight.Count > 0)
        {
            failed += await ObserveAsync(inFlight.Dequeue());
        }

        return new SendResult(sent, failed);
    }

    private static async Task<int> ObserveAsync(Task invocation)
    {
        try
        {
            await invocation.WaitAsync(ClientFactory.OperationTimeout);
            return 0;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            return 1;
        }
    }
}
