using Microsoft.AspNetCore.SignalR;
using SampleChat;

var builder = WebApplication.CreateBuilder(args);

// Every instance of the chat points at the same Redis. The channel prefix separates apps that share one Redis.
var redisConfiguration = builder.Configuration["Redis"] ?? "127.0.0.1:6379";
var channelPrefix = builder.Configuration["WsHub:ChannelPrefix"];

builder.Services
    .AddSignalR()
    .AddMessagePackProtocol()
    .AddWsHubBackplane(redisConfiguration, options =>
    {
        if (!string.IsNullOrWhiteSpace(channelPrefix))
        {
            options.ChannelPrefix = channelPrefix;
        }
    });

builder.Services.AddSingleton<IUserIdProvider, QueryUserIdProvider>();
builder.Services.AddSingleton<InstanceIdentity>();

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

app.Run();

/// <summary>The entry point of the sample, public so that tests can start it with WebApplicationFactory.</summary>
public partial class Program;
