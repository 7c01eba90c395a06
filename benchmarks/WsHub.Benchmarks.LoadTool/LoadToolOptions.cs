using System.Globalization;

namespace WsHub.Benchmarks.LoadTool;

/// <summary>
/// Settings of one measurement run, read from the command line.
/// </summary>
internal sealed class LoadToolOptions
{
    public const string Usage = """
        Usage: WsHub.Benchmarks.LoadTool [run] [options]
               WsHub.Benchmarks.LoadTool serve --backplane NAME [--redis HOST:PORT] [--history on]   (started by run)

        Starts redis-server and server instances on 127.0.0.1, loads them with SignalR .NET clients and writes a
        Markdown table and an SVG chart of the medians. Every process started is stopped at the end.

          --backplanes LIST        none,official,wshub (default: all three, measured in this order)
          --figures LIST           figure numbers 1-7 (default: all)
          --rounds N               rounds per figure; the table shows medians (default 3)
          --warmup-rounds N        unrecorded rounds before figures 1, 2, 3 and 6 (default 1)
          --instances N            server instances for official and wshub (default 2; none always uses 1)
          --protocol NAME          json or messagepack (default json)
          --history on|off         wshub keeps message history for every group (default off)
          --duration SECONDS       measured time of one fan-out, latency or stall round (default 5)
          --warmup SECONDS         unmeasured time before each of those rounds (default 1)
          --clients N              group members for figures 1, 2 and 6 (default 200)
          --groups N               groups for figures 1 and 2 (default 20)
          --payload BYTES          payload size of a group message (default 64)
          --window N               InvokeAsync calls in flight per sender in figure 1 (default 32)
          --rate N                 messages per second in figures 2 and 6 (default 1000)
          --stall-fill KIB         data sent to the stalled group before each figure 6 measurement (default 4096)
          --connect-clients N      clients connected in figure 3 (default 5000)
          --connect-groups N       groups joined in figure 3 (default 100)
          --connect-concurrency N  connects in flight in figure 3 (default 100)
          --idle-clients N         idle clients for figures 4 and 5 (default 1000)
          --idle-groups N          groups of the idle clients (default 50)
          --loss-rate N            messages per second in figure 7 (default 200)
          --loss-duration SECONDS  sending time of one figure 7 round (default 8)
          --loss-members N         group members in figure 7 (default 10)
          --redis-down SECONDS     time between the kill and the restart of Redis, at most 3 (default 1)
          --out PATH               Markdown table file (default docs/benchmark-results.md)
          --chart PATH             SVG chart file (default docs/benchmarks.svg)
          --redis-server PATH      redis-server executable (default /usr/bin/redis-server)
          --max-minutes N          the run stops with exit code 3 after this time (default 30)
          --smoke                  tiny sizes and 1 round of every figure; for tests, takes well under a minute
          --help                   prints this text
        """;

    public IReadOnlyList<Backplane> Backplanes { get; private set; } = [Backplane.None, Backplane.Official, Backplane.WsHub];

    public IReadOnlySet<int> Figures { get; private set; } = new HashSet<int> { 1, 2, 3, 4, 5, 6, 7 };

    public int Rounds { get; private set; } = 3;

    /// <summary>Unrecorded rounds before figures 1, 2, 3 and 6, because the first round of a process runs cold.</summary>
    public int WarmupRounds { get; private set; } = 1;

    public int Instances { get; private set; } = 2;

    public bool MessagePack { get; private set; }

    /// <summary>Whether WsHub servers keep message history for every group, to measure its cost.</summary>
    public bool History { get; private set; }

    public TimeSpan Duration { get; private set; } = TimeSpan.FromSeconds(5);

    public TimeSpan Warmup { get; private set; } = TimeSpan.FromSeconds(1);

    public int Clients { get; private set; } = 200;

    public int Groups { get; private set; } = 20;

    public int PayloadBytes { get; private set; } = 64;

    public int Window { get; private set; } = 32;

    public int Rate { get; private set; } = 1000;

    /// <summary>
    /// Kibibytes sent to the group of figure 6 before each measurement, in 16 KiB messages, so that the stalled
    /// member's socket and pipe buffers are full when the measurement starts.
    /// </summary>
    public int StallFillKibibytes { get; private set; } = 4096;

    public int ConnectClients { get; private set; } = 5000;

    public int ConnectGroups { get; private set; } = 100;

    public int ConnectConcurrency { get; private set; } = 100;

    public int IdleClients { get; private set; } = 1000;

    public int IdleGroups { get; private set; } = 50;

    public int LossRate { get; private set; } = 200;

    public TimeSpan LossDuration { get; private set; } = TimeSpan.FromSeconds(8);

    public int LossMembers { get; private set; } = 10;

    public TimeSpan RedisDown { get; private set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long figure 7 waits for a healthy backplane before its round starts.</summary>
    public TimeSpan ReadyTimeout { get; private set; } = TimeSpan.FromSeconds(15);

    public string OutputPath { get; private set; } = Path.Combine("docs", "benchmark-results.md");

    public string ChartPath { get; private set; } = Path.Combine("docs", "benchmarks.svg");

    public string RedisServerPath { get; private set; } = "/usr/bin/redis-server";

    public TimeSpan MaxRunTime { get; private set; } = TimeSpan.FromMinutes(30);

    public bool Smoke { get; private set; }

    public bool ShowHelp { get; private set; }

    /// <summary>The command line as given, for the report.</summary>
    public string CommandLine { get; private set; } = string.Empty;

    public int InstancesFor(Backplane backplane) => backplane == Backplane.None ? 1 : Instances;

    /// <summary>
    /// Parses the arguments that follow the optional <c>run</c> word.
    /// </summary>
    /// <exception cref="ArgumentException">An option is unknown, lacks its value or has an invalid value.</exception>
    public static LoadToolOptions Parse(IReadOnlyList<string> args)
    {
        var options = new LoadToolOptions { CommandLine = string.Join(' ', args) };

        // --smoke first, so that explicit options given with it still win.
        if (args.Contains("--smoke"))
        {
            options.ApplySmoke();
        }

        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            if (name is "--smoke")
            {
                continue;
            }

            if (name is "--help" or "-h")
            {
                options.ShowHelp = true;
                continue;
            }

            if (i + 1 >= args.Count)
            {
                throw new ArgumentException($"Option '{name}' is unknown or has no value. Run with --help for the options.");
            }

            options.Set(name, args[++i]);
        }

        return options;
    }

    private void Set(string name, string value)
    {
        switch (name)
        {
            case "--backplanes":
                Backplanes = value.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(BackplaneNames.Parse).Distinct().ToList();
                break;
            case "--figures":
                Figures = value.Split(',', StringSplitOptions.RemoveEmptyEntries)
                    .Select(f => ParseInt(name, f, 1, 7))
                    .ToHashSet();
                break;
            case "--rounds": Rounds = ParseInt(name, value, 1, 100); break;
            case "--warmup-rounds": WarmupRounds = ParseInt(name, value, 0, 10); break;
            case "--instances": Instances = ParseInt(name, value, 1, 16); break;
            case "--protocol":
                MessagePack = value.ToLowerInvariant() switch
                {
                    "json" => false,
                    "messagepack" => true,
                    _ => throw new ArgumentException($"Invalid --protocol '{value}'. Use json or messagepack."),
                };
                break;
            case "--history":
                History = value.ToLowerInvariant() switch
                {
                    "on" => true,
                    "off" => false,
                    _ => throw new ArgumentException($"Invalid --history '{value}'. Use on or off."),
                };
                break;
            case "--duration": Duration = ParseSeconds(name, value, 0.1, 600); break;
            case "--warmup": Warmup = ParseSeconds(name, value, 0, 60); break;
            case "--clients": Clients = ParseInt(name, value, 1, 20_000); break;
            case "--groups": Groups = ParseInt(name, value, 1, 10_000); break;
            case "--payload": PayloadBytes = ParseInt(name, value, 0, 16 * 1024); break;
            case "--window": Window = ParseInt(name, value, 1, 10_000); break;
            case "--rate": Rate = ParseInt(name, value, 1, 100_000); break;
            case "--stall-fill": StallFillKibibytes = ParseInt(name, value, 0, 1024 * 1024); break;
            case "--connect-clients": ConnectClients = ParseInt(name, value, 1, 15_000); break;
            case "--connect-groups": ConnectGroups = ParseInt(name, value, 1, 10_000); break;
            case "--connect-concurrency": ConnectConcurrency = ParseInt(name, value, 1, 1000); break;
            case "--idle-clients": IdleClients = ParseInt(name, value, 1, 15_000); break;
            case "--idle-groups": IdleGroups = ParseInt(name, value, 1, 10_000); break;
            case "--loss-rate": LossRate = ParseInt(name, value, 1, 10_000); break;
            case "--loss-duration": LossDuration = ParseSeconds(name, value, 1, 600); break;
            case "--loss-members": LossMembers = ParseInt(name, value, 1, 1000); break;
            case "--redis-down": RedisDown = ParseSeconds(name, value, 0, 3); break;
            case "--out": OutputPath = value; break;
            case "--chart": ChartPath = value; break;
            case "--redis-server": RedisServerPath = value; break;
            case "--max-minutes": MaxRunTime = ParseSeconds(name, value, 0.1, 24 * 60) * 60; break;
            default:
                throw new ArgumentException($"Unknown option '{name}'. Run with --help for the options.");
        }
    }

    private void ApplySmoke()
    {
        Smoke = true;
        Rounds = 1;
        WarmupRounds = 0;
        Duration = TimeSpan.FromSeconds(0.5);
        Warmup = TimeSpan.FromSeconds(0.2);
        Clients = 20;
        Groups = 4;
        Rate = 200;
        StallFillKibibytes = 256;
        ConnectClients = 40;
        ConnectGroups = 4;
        ConnectConcurrency = 20;
        IdleClients = 40;
        IdleGroups = 5;
        LossRate = 50;
        LossDuration = TimeSpan.FromSeconds(2);
        LossMembers = 4;
        RedisDown = TimeSpan.FromSeconds(0.2);
        ReadyTimeout = TimeSpan.FromSeconds(3);
        MaxRunTime = TimeSpan.FromMinutes(3);
    }

    private static int ParseInt(string name, string value, int min, int max)
    {
        if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) || parsed < min || parsed > max)
        {
            throw new ArgumentException($"Invalid value '{value}' for {name}: expected an integer from {min} to {max}.");
        }

        return parsed;
    }

    private static TimeSpan ParseSeconds(string name, string value, double min, double max)
    {
        if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) || parsed < min || parsed > max)
        {
            throw new ArgumentException($"Invalid value '{value}' for {name}: expected seconds from {min} to {max}.");
        }

        return TimeSpan.FromSeconds(parsed);
    }
}
