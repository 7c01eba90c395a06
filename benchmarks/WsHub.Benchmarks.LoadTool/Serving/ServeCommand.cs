using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace WsHub.Benchmarks.LoadTool.Serving;

/// <summary>
/// The <c>serve</c> mode: one server instance in its own process, so that its memory can be read from /proc.
/// </summary>
internal static class ServeCommand
{
    /// <summary>The line prefix on standard output that carries the address the server listens on to the parent.</summary>
    public const string ListeningPrefix = "LISTENING ";

    /// <summary>
    /// Runs the server until standard input closes, which happens when the parent exits or stops this instance.
    /// </summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        var backplane = Backplane.None;
        string? redis = null;
        var history = false;
        for (var i = 0; i + 1 < args.Count; i += 2)
        {
            switch (args[i])
            {
                case "--backplane": backplane = BackplaneNames.Parse(args[i + 1]); break;
                case "--redis": redis = args[i + 1]; break;
                case "--history": history = args[i + 1] == "on"; break;
                default: throw new ArgumentException($"Unknown serve option '{args[i]}'.");
            }
        }

        if (backplane != Backplane.None && string.IsNullOrEmpty(redis))
        {
            throw new ArgumentException($"The backplane '{BackplaneNames.ToName(backplane)}' needs --redis HOST:PORT.");
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));

        var signalr = builder.Services.AddSignalR().AddMessagePackProtocol();
        switch (backplane)
        {
            case Backplane.Official:
                signalr.AddStackExchangeRedis(redis!);
                break;
            case Backplane.WsHub:
                signalr.AddWsHubBackplane(redis!, options =>
                {
                    if (history)
                    {
                        options.HistoryGroupFilter = _ => true;
                    }
                });
                break;
        }

        await using var app = builder.Build();
        app.UseWebSockets();
        app.MapHub<BenchHub>("/hub");

        // A full collection before each memory reading leaves less garbage in the working set.
        app.MapGet("/gc", () =>
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
            GC.Collect();

            // The live managed heap, which server GC's reserved but unused memory in the working set does not blur.
            return GC.GetTotalMemory(forceFullCollection: false).ToString(CultureInfo.InvariantCulture);
        });

        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Console.Out.WriteLine(ListeningPrefix + address);
        Console.Out.Flush();

        // The parent owns the other end of standard input, so end of input means the parent exited or requests a stop.
        await Task.Run(() => Console.In.ReadToEnd());
        await app.StopAsync(TimeSpan.FromSeconds(5));
        return 0;
    }
}
