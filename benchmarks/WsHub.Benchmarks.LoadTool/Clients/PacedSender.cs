using System.Diagnostics;
using Microsoft.AspNetCore.SignalR.Client;

namespace WsHub.Benchmarks.LoadTool.Clients;

/// <summary>
/// Sends group messages at a fixed rate. Every 5 ms it sends the messages that are due by then, so messages leave
/// in small bursts whose average rate is the requested one.
/// </summary>
internal static class PacedSender
{
    private const int MaxOutstandingInvocations = 4096;

    /// <summary>
    /// Sends <c>rate * duration</c> messages with sequence numbers from <paramref name="firstSequence"/> on.
    /// With <paramref name="invoke"/> each message is an InvokeAsync call that is not awaited at once, so that a
    /// failing hub call is counted; otherwise each is a fire-and-forget SendAsync.
    /// </summary>
    public static async Task<SendResult> RunAsync(
        HubConnection connection,
        Func<long, string> groupOf,
        int rate,
        TimeSpan duration,
        byte[] payload,
        long firstSequence,
        bool invoke,
        CancellationToken cancellationToken)
    {
        var total = (long)(rate * duration.TotalSeconds);
        var outstanding = new Queue<Task>();
        long sent = 0;
        long failed = 0;
        var clock = Stopwatch.StartNew();
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(5));

        // Bounded by the message count, and by twice the duration in case sends block.
        while (sent < total && clock.Elapsed < duration * 2 + TimeSpan.FromSeconds(1))
        {
            var due = Math.Min(total, (long)(clock.Elapsed.TotalSeconds * rate) + 1);
            for (; sent < due; sent++)
            {
                var sequence = firstSequence + sent;
                var arguments = new object[] { groupOf(sequence), Stopwatch.GetTimestamp(), sequence, payload };
                if (invoke)
                {
                    outstanding.Enqueue(connection.InvokeCoreAsync("Publish", arguments, cancellationToken));
                    while (outstanding.Count > MaxOutstandingInvocations || (outstanding.Count > 0 && outstanding.Peek().IsCompleted))
                    {
                        failed += await ObserveAsync(outstanding.Dequeue());
                    }
                }
                else
                {
                    try
                    {
                        await connection.SendCoreAsync("Publish", arguments, cancellationToken);
                    }
                    catch (Exception exception) when (exception is not OperationCanceledException)
                    {
                        failed++;
                    }
                }
            }

            await timer.WaitForNextTickAsync(cancellationToken);
        }

        while (outstanding.Count > 0)
        {
            failed += await ObserveAsync(outstanding.Dequeue());
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
