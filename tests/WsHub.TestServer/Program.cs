using System.Text.Json.Serialization;
using Microsoft.AspNetCore.SignalR;
using WsHub.TestServer;

// A SignalR server on the WsHub backplane that cluster tests start as a separate process, so they can stop it with
// SIGTERM or SIGKILL. Every setting comes from the command line, for example
// --urls http://127.0.0.1:5001 --Redis 127.0.0.1:6379 --Prefix t1 --HeartbeatMs 500 --InstanceTimeoutMs 2000.
var builder = WebApplication.CreateBuilder(args);
var settings = TestServerSettings.Read(builder.Configuration);

builder.Logging.AddSimpleConsole(options =>
{
    options.SingleLine = true;
    options.TimestampFormat = "HH:mm:ss.fff ";
});

// Per-request logs of hundreds of clients would bury the WsHub lines that tests read.
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);

builder.Services.ConfigureHttpJsonOptions(options => options.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
builder.Services.AddSingleton<IUserIdProvider, QueryStringUserIdProvider>();
builder.Services
    .AddSignalR(options => options.EnableDetailedErrors = true)
    .AddWsHubBackplane(settings.Redis, options =>
    {
        options.ChannelPrefix = settings.Prefix;
        options.HeartbeatInterval = settings.HeartbeatInterval;
        options.InstanceTimeout = settings.InstanceTimeout;
        options.DrainBatchSize = settings.DrainBatchSize;
        options.DrainBatchInterval = settings.DrainBatchInterval;
        options.DrainTimeout = settings.DrainTimeout;
    });

// The host must wait for the whole drain, which stops at DrainTimeout.
builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = settings.DrainTimeout + TimeSpan.FromSeconds(5));

var app = builder.Build();
app.UseWebSockets();
app.MapHub<TestHub>("/hub");
PresenceEndpoints.Map(app);

app.Lifetime.ApplicationStarted.Register(() => TestServerLog.Started(app.Logger, Environment.ProcessId, string.Join(", ", app.Urls)));
app.Lifetime.ApplicationStopped.Register(() => TestServerLog.Stopped(app.Logger, Environment.ProcessId));
app.Run();
