using System.Diagnostics;
using StackExchange.Redis;

namespace WsHub.SignalR.Tests.Cluster;

/// <summary>
/// A <c>redis-server</c> process on a free loopback port, without persistence, with an admin connection for the
/// test's own checks (KEYS, FLUSHALL).
/// </summary>
internal sealed class RedisServerProcess : IAsyncDisposable
{
    private const string RedisServerPath = "/usr/bin/redis-server";

    private readonly Process _process;
    private readonly string _directory;

    private RedisServerProcess(Process process, string directory, int port, ConnectionMultiplexer admin)
    {
        _process = process;
        _directory = directory;
        Port = port;
        Admin = admin;
    }

    /// <summary>The port Redis listens on, on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>The StackExchange.Redis configuration string of this server.</summary>
    public string ConnectionString => $"127.0.0.1:{Port}";

    /// <summary>A connection with admin commands allowed, for the test's checks only.</summary>
    public ConnectionMultiplexer Admin { get; }

    /// <summary>Starts the server and waits until it answers PING.</summary>
    public static async Task<RedisServerProcess> StartAsync()
    {
        if (!File.Exists(RedisServerPath))
        {
            throw new InvalidOperationException(
                $"{RedisServerPath} was not found. Install Redis, for example with 'apt-get install redis-server'.");
        }

        var port = FreePort.Next();
        var directory = Directory.CreateTempSubdirectory("wshub-redis-").FullName;
        var start = new ProcessStartInfo(RedisServerPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--bind", "127.0.0.1", "--save", string.Empty, "--appendonly", "no", "--dir", directory,
        })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var options = ConfigurationOptions.Parse($"127.0.0.1:{port}");
        options.AllowAdmin = true;
        options.AbortOnConnectFail = false;
        options.ConnectRetry = 10;
        var admin = await ConnectionMultiplexer.ConnectAsync(options).WaitAsync(TimeSpan.FromSeconds(10));
        var server = new RedisServerProcess(process, directory, port, admin);
        if (!await Poll.UntilAsync(server.TryPingAsync, ok => ok, TimeSpan.FromSeconds(10)))
        {
            await server.DisposeAsync();
            throw new InvalidOperationException($"redis-server on port {port} did not answer PING within 10 s.");
        }

        return server;
    }

    /// <summary>Returns every key that starts with <paramref name="prefix"/>, using KEYS, which only tests may use.</summary>
    public async Task<string[]> KeysAsync(string prefix)
    {
        var result = await Admin.GetDatabase().ExecuteAsync("KEYS", prefix + ":*").WaitAsync(TimeSpan.FromSeconds(5));
        return [.. ((RedisResult[])result!).Select(key => (string)key!)];
    }

    /// <summary>Deletes every key in every database.</summary>
    public Task FlushAllAsync()
    {
        return Admin.GetServer("127.0.0.1", Port).FlushAllDatabasesAsync().WaitAsync(TimeSpan.FromSeconds(5));
    }

    public async ValueTask DisposeAsync()
    {
        await Admin.DisposeAsync();
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }

        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private async Task<bool> TryPingAsync()
    {
        try
        {
            await Admin.GetDatabase().PingAsync().WaitAsync(TimeSpan.FromSeconds(2));
            return true;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return false;
        }
    }
}
