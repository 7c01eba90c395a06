using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;

namespace WsHub.Benchmarks.LoadTool.Processes;

/// <summary>
/// A redis-server on a free loopback port, without persistence, in its own temporary directory.
/// </summary>
internal sealed class RedisServerProcess : IAsyncDisposable
{
    private readonly string _executable;
    private readonly ChildProcessRegistry _registry;
    private readonly string _directory;
    private Process? _process;

    private RedisServerProcess(string executable, ChildProcessRegistry registry, int port)
    {
        _executable = executable;
        _registry = registry;
        Port = port;
        _directory = Directory.CreateTempSubdirectory("wshub-bench-redis-").FullName;
    }

    public int Port { get; }

    /// <summary>The StackExchange.Redis configuration string for this server.</summary>
    public string Configuration => $"127.0.0.1:{Port}";

    public static async Task<RedisServerProcess> StartAsync(
        string executable,
        ChildProcessRegistry registry,
        CancellationToken cancellationToken)
    {
        if (!File.Exists(executable))
        {
            throw new FileNotFoundException(
                $"redis-server not found at '{executable}'. Install it (apt-get install redis-server) or pass --redis-server.");
        }

        var redis = new RedisServerProcess(executable, registry, FindFreePort());
        await redis.StartProcessAsync(cancellationToken);
        return redis;
    }

    /// <summary>Kills the server with SIGKILL, as a crash would.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    /// <summary>Starts the server again on the same port, empty, and waits until it replies to PING.</summary>
    public Task RestartAsync(CancellationToken cancellationToken) => StartProcessAsync(cancellationToken);

    /// <summary>Deletes all keys, so that each measurement starts from an empty Redis.</summary>
    public async Task FlushAllAsync()
    {
        await using var connection = await ConnectAdminAsync();
        await connection.GetServer(Configuration).FlushAllDatabasesAsync();
    }

    /// <summary>Returns the number of channels with at least one subscriber (PUBSUB CHANNELS).</summary>
    public async Task<int> CountChannelsAsync()
    {
        await using var connection = await ConnectAdminAsync();
        var result = await connection.GetServer(Configuration).ExecuteAsync("PUBSUB", "CHANNELS");
        return result.Length;
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover empty temporary directory does no harm.
        }
    }

    private async Task<ConnectionMultiplexer> ConnectAdminAsync()
    {
        var options = ConfigurationOptions.Parse(Configuration);
        options.AllowAdmin = true;
        options.ConnectTimeout = 5000;
        return await ConnectionMultiplexer.ConnectAsync(options);
    }

    private async Task StartProcessAsync(CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo(_executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
                 {
                     "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
                     "--save", string.Empty, "--appendonly", "no", "--dir", _directory, "--daemonize", "no",
                 })
        {
            startInfo.ArgumentList.Add(argument);
        }

        var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"Failed to start '{_executable}'.");
        _registry.Add(process);
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!await PingAsync(cancellationToken))
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"redis-server exited with code {process.ExitCode} at start on port {Port}.");
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"redis-server did not reply to PING on port {Port} within 10 s.");
            }

            await Task.Delay(50, cancellationToken);
        }
    }

    private async Task<bool> PingAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port, cancellationToken);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), cancellationToken);
            var buffer = new byte[16];
            var read = await stream.ReadAsync(buffer, cancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(1), cancellationToken);
            return read >= 5 && buffer.AsSpan(0, 5).SequenceEqual("+PONG"u8);
        }
        catch (SocketException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private static int FindFreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
