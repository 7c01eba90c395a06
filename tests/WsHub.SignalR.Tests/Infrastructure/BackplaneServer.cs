using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace WsHub.SignalR.Tests.Infrastructure;

/// <summary>
/// One in-process ASP.NET Core app on Kestrel at a free loopback port that maps <see cref="TestHub"/> at <c>/hub</c>
/// behind the WsHub backplane, with both the JSON and the MessagePack protocol.
/// </summary>
public sealed class BackplaneServer : IAsyncDisposable
{
    /// <summary>The unsubscribe delay of test servers, short so that tests of lazy subscriptions finish quickly.</summary>
    public static readonly TimeSpan TestUnsubscribeDelay = TimeSpan.FromMilliseconds(100);

    private readonly WebApplication _app;
    private bool _disposed;

    private BackplaneServer(WebApplication app, Uri baseAddress, string channelPrefix)
    {
        _app = app;
        BaseAddress = baseAddress;
        ChannelPrefix = channelPrefix;
    }

    /// <summary>The root URL of the app, such as <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The URL of <see cref="TestHub"/>.</summary>
    public Uri HubUrl => new(BaseAddress, "hub");

    /// <summary>The WsHub channel prefix of this app.</summary>
    public string ChannelPrefix { get; }

    /// <summary>The app's services.</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>The lifetime manager that the app resolves for <see cref="TestHub"/>.</summary>
    public HubLifetimeManager<TestHub> LifetimeManager => Services.GetRequiredService<HubLifetimeManager<TestHub>>();

    /// <summary>The hub context that the app resolves for <see cref="TestHub"/>.</summary>
    public IHubContext<TestHub> HubContext => Services.GetRequiredService<IHubContext<TestHub>>();

    /// <summary>
    /// Builds and starts an app. Start-up failures, such as invalid options, propagate to the caller.
    /// </summary>
    public static async Task<BackplaneServer> StartAsync(BackplaneServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        options.ConfigureLogging?.Invoke(builder.Logging);
        builder.Services.AddSingleton<IUserIdProvider, QueryStringUserIdProvider>();

        var signalr = builder.Services.AddSignalR(hub => hub.EnableDetailedErrors = true).AddMessagePackProtocol();
        var prefix = options.ChannelPrefix;
        void Configure(WsHubOptions backplane)
        {
            backplane.ChannelPrefix = prefix;
            backplane.UnsubscribeDelay = TestUnsubscribeDelay;
            options.ConfigureBackplane?.Invoke(backplane);
        }

        if (options.RedisConfiguration is null)
        {
            signalr.AddWsHubBackplane(Configure);
        }
        else
        {
            signalr.AddWsHubBackplane(options.RedisConfiguration, Configure);
        }

        options.ConfigureSignalR?.Invoke(signalr);
        options.ConfigureServices?.Invoke(builder.Services);

        var app = builder.Build();
        app.UseWebSockets();
        app.MapHub<TestHub>("/hub");
        try
        {
            await app.StartAsync().WaitAsync(TestTimeouts.Default);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        var address = app.Urls.Single();
        return new BackplaneServer(app, new Uri(address.EndsWith('/') ? address : address + "/"), prefix);
    }

    /// <summary>
    /// Connects a new <see cref="TestClient"/> to this server's hub.
    /// </summary>
    public Task<TestClient> ConnectAsync(ClientProtocol protocol = ClientProtocol.Json, string? userId = null) =>
        TestClient.ConnectAsync(HubUrl, protocol, userId);

    /// <summary>
    /// Stops the app gracefully and disposes it. Safe to call more than once.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        using var timeout = new CancellationTokenSource(TestTimeouts.Default);
        try
        {
            await _app.StopAsync(timeout.Token);
        }
        finally
        {
            await _app.DisposeAsync().AsTask().WaitAsync(TestTimeouts.Default);
        }
    }
}
