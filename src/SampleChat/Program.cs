using Microsoft.AspNetCore.SignalR;
using SampleChat;
using StackExchange.Redis;

var builder = WebApplication.CreateBuilder(args);

// Every instance of the chat points at the same Redis. The channel prefix separates apps that share one Redis.
var redisConfiguration = builder.Configuration["Redis"] ?? "127.0.0.1:6379";
var channelPrefix = builder.Configuration["WsHub:ChannelPrefix"];

// The backplane and the sample's own keys (room list, instance names) share one Redis connection, so it gets the
// settings that WsHub applies to a connection it opens itself. The app starts while Redis is away, and the
// connection keeps retrying in the background, from 250 ms up to every 2 s. Commands fail at once while Redis is
// unreachable, so the backplane's outbox keeps them in order, instead of StackExchange.Redis sending them on
// reconnect before the other instances have subscribed again.
builder.Services.AddSingleton<IConnectionMultiplexer>(_ =>
{
    var options = ConfigurationOptions.Parse(redisConfiguration);
    options.AbortOnConnectFail = false;
    options.BacklogPolicy = BacklogPolicy.FailFast;
    options.ReconnectRetryPolicy = new ExponentialRetry(deltaBackOffMilliseconds: 250, maxDeltaBackOffMilliseconds: 2000);
    return ConnectionMultiplexer.Connect(options);
});

// HubErrorLoggingFilter logs hub method errors in place of SignalR's dispatcher, which logs invalid input as a
// failure with a stack trace.
builder.Logging.AddFilter(HubErrorLoggingFilter.DispatcherLogCategory, LogLevel.Critical);
builder.Services
    .AddSignalR(options => options.AddFilter<HubErrorLoggingFilter>())
    .AddMessagePackProtocol()
    .AddWsHubBackplane(options =>
    {
        options.UseRegisteredMultiplexer = true;

        // Rooms keep their recent messages in Redis, so a page that reconnects, also to another instance, gets the
        // room messages it missed, and a newcomer gets the latest ones. Identity groups keep none.
        options.HistoryGroupFilter = ChatGroups.IsRoom;
        if (!string.IsNullOrWhiteSpace(channelPrefix))
        {
            options.ChannelPrefix = channelPrefix;
        }
    });

builder.Services.AddSingleton<IUserIdProvider, QueryUserIdProvider>();
builder.Services.AddSingleton<InstanceIdentity>();
builder.Services.AddSingleton<SampleRedisKeys>();
builder.Services.AddSingleton<RoomMemberLookup>();
builder.Services.AddSingleton<RoomDirectory>();
builder.Services.AddHostedService<InstanceNamePublisher>();
builder.Services.AddHostedService<RoomListRefresher>();

// /healthz returns 503 while the instance stops or once the backplane's outage buffer is full, and 200 otherwise,
// also while Redis is briefly away and messages wait in the buffer (Degraded).
builder.Services.AddHealthChecks()
    .AddCheck<StoppingHealthCheck>("stopping")
    .AddWsHub();

var app = builder.Build();

// Reject hub requests without a valid user name with a 400 and the reason, before SignalR accepts them.
app.UseWhen(
    context => context.Request.Path.StartsWithSegments("/chat"),
    branch => branch.Use(async (context, next) =>
    {
        var user = context.Request.Query[QueryUserIdProvider.QueryParameter].ToString();
        if (!ChatInput.TryValidateName("user name", user, out _, out var error))
        {
            var logger = context.RequestServices.GetRequiredService<ILogger<Program>>();
            ChatLog.ConnectionRequestRejected(logger, context.Connection.RemoteIpAddress?.ToString(), error);
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync(error);
            return;
        }

        await next(context);
    }));

app.UseDefaultFiles();
app.UseStaticFiles();
app.MapHub<ChatHub>("/chat");
app.MapClusterEndpoint();

// The gateway probes this address.
app.MapHealthChecks("/healthz");

app.Run();

/// <summary>The entry point of the sample, public so that tests can start it with WebApplicationFactory.</summary>
public partial class Program;
