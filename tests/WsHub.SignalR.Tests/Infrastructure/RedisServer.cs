using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using StackExchange.Redis;

namespace WsHub.SignalR.Tests.Infrastructure;

/// <summary>
/// A <c>redis-server</c> child process on a free loopback port, with its own empty data directory and no persistence.
/// Tests can kill, pause, resume and restart it to exercise the backplane's failure handling.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private const string DefaultExecutablePath = "/usr/bin/redis-server";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(10);

    private readonly string _executablePath;
    private readonly string _dataDirectory;
    private readonly IReadOnlyList<string> _extraArguments;
    private readonly StringBuilder _output = new();
    private Process? _process;
    private ConnectionMultiplexer? _admin;

    private RedisServer(string executablePath, int port, string? password, IReadOnlyList<string> extraArguments)
    {
        _executablePath = executablePath;
        Port = port;
        Password = password;
        _extraArguments = extraArguments;
        _dataDirectory = Directory.CreateTempSubdirectory("wshub-redis-").FullName;
    }

    /// <summary>The TCP port the server listens on, on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>The password set with <c>--requirepass</c>, or null when the server needs none.</summary>
    public string? Password { get; }

    /// <summary>The StackExchange.Redis configuration string of the endpoint, such as <c>127.0.0.1:6380</c>.</summary>
    public string ConnectionString => "127.0.0.1:" + Port.ToString(CultureInfo.InvariantCulture);

    /// <summary>The operating system id of the running server process.</summary>
    public int ProcessId => _process?.Id ?? throw new InvalidOperationException("The Redis server is not running.");

    /// <summary>
    /// Starts a server on a free loopback port and waits until it replies to PING.
    /// </summary>
    /// <param name="password">A password for <c>--requirepass</c>, or null for none.</param>
    /// <param name="extraArguments">More <c>redis-server</c> arguments, such as <c>--maxclients 50</c>.</param>
    /// <exception cref="InvalidOperationException">redis-server is not installed or did not start in time.</exception>
    public static async Task<RedisServer> StartAsync(string? password = null, params string[] extraArguments)
    {
        var executablePath = FindExecutable();

        // The port is free when probed but may be taken before redis-server binds it, so a failed start retries.
        const int attempts = 3;
        for (var attempt = 1; ; attempt++)
        {
            var server = new RedisServer(executablePath, FindFreePort(), password, extraArguments);
            try
            {
                await server.StartProcessAsync();
                return server;
            }
            catch (InvalidOperationException) when (attempt < attempts)
            {
                await server.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// Returns an admin connection (<c>allowAdmin=true</c>) shared by the callers of this server.
    /// </summary>
    public async Task<ConnectionMultiplexer> GetAdminConnectionAsync()
    {
        if (_admin is { IsConnected: true })
        {
            return _admin;
        }

        var options = ConfigurationOptions.Parse(ConnectionString);
        options.AllowAdmin = true;
        options.AbortOnConnectFail = false;
        options.Password = Password;
        options.ConnectTimeout = 5000;

        // No configuration-change channel, so that PUBSUB results show only the subscriptions of the code under test.
        options.ConfigurationChannel = string.Empty;
        var previous = _admin;
        _admin = await ConnectionMultiplexer.ConnectAsync(options).WaitAsync(StartTimeout);
        if (previous is not null)
        {
            await previous.DisposeAsync();
        }

        return _admin;
    }

    /// <summary>
    /// Returns the channels that have at least one subscriber and match a glob pattern (<c>PUBSUB CHANNELS</c>).
    /// </summary>
    public async Task<IReadOnlyList<string>> GetChannelsAsync(string pattern)
    {
        var result = await ExecuteAsync("PUBSUB", "CHANNELS", pattern);
        return [.. ((RedisResult[])result!).Select(item => (string)item!)];
    }

    /// <summary>
    /// Returns the number of subscribers of one channel (<c>PUBSUB NUMSUB</c>); patterns are not counted.
    /// </summary>
    public async Task<long> GetSubscriberCountAsync(string channel)
    {
        var result = (RedisResult[])(await ExecuteAsync("PUBSUB", "NUMSUB", channel))!;
        return (long)result[1];
    }

    /// <summary>
    /// Returns the keys that match a glob pattern. Uses <c>KEYS</c>, which is fine on a test server.
    /// </summary>
    public async Task<IReadOnlyList<string>> GetKeysAsync(string pattern)
    {
        var result = await ExecuteAsync("KEYS", pattern);
        return [.. ((RedisResult[])result!).Select(item => (string)item!)];
    }

    /// <summary>
    /// Runs one command on the admin connection, with a 10 second timeout.
    /// </summary>
    public async Task<RedisResult> ExecuteAsync(string command, params object[] arguments)
    {
        var admin = await GetAdminConnectionAsync();
        var server = admin.GetServer(admin.GetEndPoints()[0]);
        return await server.ExecuteAsync(command, arguments).WaitAsync(StartTimeout);
    }

    /// <summary>
    /// Kills the server with SIGKILL and waits for the process to exit. The port stays reserved for <see cref="RestartAsync"/>.
    /// </summary>
    public async Task KillAsync()
    {
        if (_process is null)
        {
            return;
        }

        if (!_process.HasExited)
        {
            _process.Kill();
        }

        await _process.WaitForExitAsync().WaitAsync(StartTimeout);
        _process.Dispose();
        _process = null;
    }

    /// <summary>
    /// Freezes the server with SIGSTOP: its sockets stay open but it replies to nothing until <see cref="Resume"/>.
    /// </summary>
    public void Pause() => SendSignal(NativeMethods.SignalStop);

    /// <summary>
    /// Continues a server frozen by <see cref="Pause"/> (SIGCONT).
    /// </summary>
    public void Resume() => SendSignal(NativeMethods.SignalContinue);

    /// <summary>
    /// Kills the server and starts a new, empty one on the same port. Subscriptions and keys are lost, as after a crash
    /// of a server without persistence.
    /// </summary>
    public async Task RestartAsync()
    {
        await KillAsync();
        await StartProcessAsync();
    }

    /// <summary>
    /// Kills the server, closes the admin connection and deletes the data directory.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (_admin is not null)
        {
            await _admin.DisposeAsync();
            _admin = null;
        }

        if (_process is not null)
        {
            // A paused process cannot exit on SIGKILL until it is continued on some kernels, so continue it first.
            _ = NativeMethods.Kill(_process.Id, NativeMethods.SignalContinue);
        }

        await KillAsync();

        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temporary directory does not affect other tests.
        }
    }

    private static string FindExecutable()
    {
        if (File.Exists(DefaultExecutablePath))
        {
            return DefaultExecutablePath;
        }

        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        foreach (var directory in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, "redis-server");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException(
            $"redis-server was not found at {DefaultExecutablePath} or on PATH. The integration tests start their own Redis "
            + "servers. Install it with 'sudo apt-get install -y redis-server', or run scripts/test.sh.");
    }

    /// <summary>Returns a loopback TCP port that was free when probed.</summary>
    public static int FindFreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private async Task StartProcessAsync()
    {
        var startInfo = new ProcessStartInfo(_executablePath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string[] arguments =
        [
            "--port", Port.ToString(CultureInfo.InvariantCulture),
            "--bind", "127.0.0.1",
            "--save", string.Empty,
            "--appendonly", "no",
            "--dir", _dataDirectory,
        ];
        foreach (var argument in arguments.Concat(_extraArguments))
        {
            startInfo.ArgumentList.Add(argument);
        }

        if (Password is not null)
        {
            startInfo.ArgumentList.Add("--requirepass");
            startInfo.ArgumentList.Add(Password);
        }

        lock (_output)
        {
            _output.Clear();
        }

        var process = new Process { StartInfo = startInfo };
        process.OutputDataReceived += (_, e) => AppendOutput(e.Data);
        process.ErrorDataReceived += (_, e) => AppendOutput(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        await WaitForPingAsync(process);
    }

    private void AppendOutput(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private async Task WaitForPingAsync(Process process)
    {
        var deadline = DateTime.UtcNow + StartTimeout;
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                break;
            }

            if (await TryPingAsync())
            {
                return;
            }

            await Task.Delay(20);
        }

        string output;
        lock (_output)
        {
            output = _output.ToString();
        }

        throw new InvalidOperationException(
            $"redis-server on port {Port} did not reply to PING within {StartTimeout.TotalSeconds} s "
            + $"(exited: {process.HasExited}). Its output:\n{output}");
    }

    private async Task<bool> TryPingAsync()
    {
        try
        {
            using var client = new TcpClient();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await client.ConnectAsync(IPAddress.Loopback, Port, timeout.Token);
            var stream = client.GetStream();
            await stream.WriteAsync("*1\r\n$4\r\nPING\r\n"u8.ToArray(), timeout.Token);
            var buffer = new byte[64];
            var read = await stream.ReadAsync(buffer, timeout.Token);

            // A server with a password replies -NOAUTH, which still shows that it is up.
            var reply = Encoding.ASCII.GetString(buffer, 0, read);
            return reply.StartsWith("+PONG", StringComparison.Ordinal) || reply.StartsWith("-NOAUTH", StringComparison.Ordinal);
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException)
        {
            return false;
        }
    }

    private void SendSignal(int signal)
    {
        if (NativeMethods.Kill(ProcessId, signal) != 0)
        {
            throw new InvalidOperationException(
                $"Sending signal {signal} to redis-server (process {ProcessId}) failed with error {Marshal.GetLastPInvokeError()}.");
        }
    }
}
