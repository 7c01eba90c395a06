using Microsoft.AspNetCore.SignalR.Client;
using WsHub.Benchmarks.LoadTool.Clients;
using WsHub.Benchmarks.LoadTool.Processes;

namespace WsHub.Benchmarks.LoadTool.Figures;

/// <summary>
/// Runs the selected figures for one backplane. Figures 1, 2 and 6 share one set of group members, and figures 3
/// and 7 share the instances. Figures 4 and 5 start fresh instances in every round so that earlier clients leave no trace.
/// </summary>
internal static class BackplaneRunner
{
    /// <summary>Returns the number of figures that failed.</summary>
    public static async Task<int> RunAsync(FigureContext context)
    {
        var figures = context.Options.Figures;
        var failures = 0;
        if (figures.Overlaps([1, 2, 3, 6, 7]))
        {
            var instances = await context.StartInstancesAsync();
            try
            {
                if (figures.Overlaps([1, 2, 6]))
                {
                    failures += await RunGuardedAsync(context, "1, 2, 6", () => RunAudienceFiguresAsync(context, instances));
                }

                if (figures.Contains(3))
                {
                    failures += await RunGuardedAsync(
                        context,
                        "3",
                        () => RunRoundsAsync(context, round => ConnectFigure.RunRoundAsync(context, instances, round), warmup: true));
                }

                // Last on these instances, because it restarts Redis under them.
                if (figures.Contains(7))
                {
                    failures += await RunGuardedAsync(
                        context,
                        "7",
                        () => RunRoundsAsync(context, round => RedisRestartFigure.RunRoundAsync(context, instances, round), warmup: false));
                }
            }
            finally
            {
                await FigureContext.StopInstancesAsync(instances);
            }
        }

        if (figures.Overlaps([4, 5]))
        {
            failures += await RunGuardedAsync(
                context, "4, 5", () => RunRoundsAsync(context, round => IdleFigure.RunRoundAsync(context, round), warmup: false));
        }

        return failures;
    }

    private static async Task RunAudienceFiguresAsync(FigureContext context, IReadOnlyList<ServerInstance> instances)
    {
        var options = context.Options;
        var figures = options.Figures;
        context.Log($"connecting {options.Clients} members in {options.Groups} groups over {instances.Count} instance(s)");
        await using var audience = await GroupAudience.ConnectAsync(
            context.Factory, instances, options.Clients, options.Groups, "g", context.CancellationToken);

        // All senders connect to the first instance.
        var senders = new List<HubConnection>();
        try
        {
            for (var i = 0; i < 4; i++)
            {
                var sender = context.Factory.Create(instances[0].HubUrl);
                senders.Add(sender);
                await sender.StartAsync(context.CancellationToken).WaitAsync(ClientFactory.OperationTimeout, context.CancellationToken);
            }

            long sequence = 0;
            for (var round = -options.WarmupRounds; round < options.Rounds; round++)
            {
                context.IsWarmupRound = round < 0;
                context.Log(round < 0 ? "warm-up round" : $"round {round + 1} of {options.Rounds}");
                if (audience.DisconnectedCount > 0)
                {
                    // Figures 1, 2 and 6 count deliveries to these members as missing from here on.
                    context.Log($"{audience.DisconnectedCount} of {audience.Count} group members are disconnected");
                }

                if (figures.Contains(1))
                {
                    await FanOutFigure.RunRoundAsync(context, audience, senders);
                }

                if (figures.Contains(2))
                {
                    await LatencyFigure.RunRoundAsync(context, audience, senders[0], sequence);
                    sequence += 100_000_000;
                }

                if (figures.Contains(6))
                {
                    await StalledMemberFigure.RunRoundAsync(context, instances, audience, senders[0], sequence);
                    sequence += 100_000_000;
                }
            }
        }
        finally
        {
            await ClientFactory.DisposeAllAsync(senders);
        }
    }

    /// <summary>
    /// Runs the rounds of one figure, after <see cref="LoadToolOptions.WarmupRounds"/> unrecorded rounds when
    /// <paramref name="warmup"/> is true. Figures on fresh instances or with a Redis restart take no warm-up round.
    /// </summary>
    private static async Task RunRoundsAsync(FigureContext context, Func<int, Task> runRound, bool warmup)
    {
        var first = warmup ? -context.Options.WarmupRounds : 0;
        try
        {
            for (var round = first; round < context.Options.Rounds; round++)
            {
                context.IsWarmupRound = round < 0;
                context.Log(round < 0 ? "warm-up round" : $"round {round + 1} of {context.Options.Rounds}");

                // Warm-up rounds get their own numbers for group names, after the recorded ones.
                await runRound(round < 0 ? context.Options.Rounds - round : round);
            }
        }
        finally
        {
            context.IsWarmupRound = false;
        }
    }

    private static async Task<int> RunGuardedAsync(FigureContext context, string figures, Func<Task> run)
    {
        context.Log($"figure {figures}: start");
        try
        {
            await run();
            return 0;
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !context.CancellationToken.IsCancellationRequested)
        {
            context.Log($"figure {figures} failed: {exception}");
            return 1;
        }
    }
}
