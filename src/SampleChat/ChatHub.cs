using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using WsHub.SignalR;

namespace SampleChat;

/// <summary>
/// The chat hub: rooms are SignalR groups, direct messages go to SignalR users, and a ping uses a client result.
/// With the WsHub backplane every call works across instances.
/// </summary>
/// <param name="instance">The name of this instance, stamped on every message.</param>
/// <param name="members">Lists the users in a room on every instance.</param>
/// <param name="rooms">Records room names for the cluster view.</param>
/// <param name="history">Reads the message history that the backplane keeps for rooms.</param>
/// <param name="logger">The logger.</param>
public sealed class ChatHub(
    InstanceIdentity instance,
    RoomMemberLookup members,
    RoomDirectory rooms,
    WsHubHistory<ChatHub> history,
    ILogger<ChatHub> logger) : Hub
{
    /// <summary>How long <see cref="PingConnection"/> waits for the pinged client to reply.</summary>
    public static readonly TimeSpan PingTimeout = TimeSpan.FromSeconds(5);

    /// <summary>How many of a room's latest history entries <see cref="GetRecentMessages"/> reads.</summary>
    public const int RecentEntryCount = 50;

    /// <summary>
    /// The maximum length of a connection id that <see cref="PingConnection"/> accepts. SignalR's connection ids are
    /// 22 characters long, and the backplane rejects ids longer than <see cref="WsHubOptions.MaxNameLength"/>.
    /// </summary>
    public const int MaxConnectionIdLength = 64;

    // Context.Items stores the rooms of one connection, because SignalR offers no way to list a connection's groups.
    private const string RoomsItemKey = "rooms";

    /// <inheritdoc />
    public override async Task OnConnectedAsync()
    {
        // The middleware in Program rejects requests without a valid user name; this catches any path around it.
        if (Context.UserIdentifier is null)
        {
            ChatLog.ConnectionWithoutUser(logger, Context.ConnectionId);
            throw new HubException("The connection has no valid user name. Connect with ?user=NAME (1 to 64 characters).");
        }

        Context.Items[RoomsItemKey] = new HashSet<string>(StringComparer.Ordinal);

        // The identity group lets any instance map this connection id to its user; RoomMemberLookup explains why.
        await Groups.AddToGroupAsync(Context.ConnectionId, ChatGroups.User(Context.UserIdentifier), Context.ConnectionAborted);
        ChatLog.UserConnected(logger, Context.UserIdentifier, Context.ConnectionId, instance.Name);
        await base.OnConnectedAsync();
    }

    /// <inheritdoc />
    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        ChatLog.UserDisconnected(logger, Context.UserIdentifier, Context.ConnectionId, exception);

        // SignalR removes the connection from its groups only after this method returns. Leaving the rooms first
        // means that pages which refetch the online list on the notice no longer find this connection. This also
        // runs for each connection that a draining instance closes.
        if (Context.UserIdentifier is { } user && Context.Items.ContainsKey(RoomsItemKey))
        {
            foreach (var room in Rooms)
            {
                rooms.RemoveLocalConnection(room);
            }

            try
            {
                foreach (var room in Rooms.ToArray())
                {
                    await Groups.RemoveFromGroupAsync(Context.ConnectionId, ChatGroups.Room(room), CancellationToken.None);
                    await Clients.Group(ChatGroups.Room(room)).SendAsync(
                        ClientMethods.RoomNotice,
                        new RoomNotice(room, user, Joined: false, instance.Name),
                        CancellationToken.None);
                }
            }
            catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
            {
                ChatLog.DisconnectCleanupFailed(logger, Context.ConnectionId, ex);
            }
        }

        await base.OnDisconnectedAsync(exception);
    }

    /// <summary>
    /// Returns the caller's user name, connection id and the name of the instance that serves it.
    /// </summary>
    /// <returns>The session of the caller.</returns>
    public ChatSession GetSession()
    {
        return new ChatSession(CurrentUser, Context.ConnectionId, instance.Name);
    }

    /// <summary>
    /// Returns the users in a room on every instance. Pages call it again whenever a <see cref="RoomNotice"/> arrives.
    /// </summary>
    /// <param name="room">The room name.</param>
    /// <returns>The room's users.</returns>
    /// <exception cref="HubException">The room name is invalid, or Redis could not be read.</exception>
    public async Task<RoomMembers> GetRoomMembers(string room)
    {
        var name = RequireName("room name", room);
        try
        {
            return await members.GetMembersAsync(name, Context.ConnectionAborted);
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
        {
            // HubErrorLoggingFilter logs this at Debug level, which suits a call that every page repeats every 10
            // seconds. The backplane logs the outage itself.
            throw new HubException(
                "Presence is unavailable while Redis is unreachable. The online list updates once Redis is back.", ex);
        }
    }

    /// <summary>
    /// Adds the caller to a room and sends a notice to the room's members, the caller included.
    /// </summary>
    /// <param name="room">The room name, 1 to 64 characters.</param>
    /// <returns>A task that completes when the caller is in the room.</returns>
    public async Task JoinRoom(string room)
    {
        var name = RequireName("room name", room);

        await Groups.AddToGroupAsync(Context.ConnectionId, ChatGroups.Room(name), Context.ConnectionAborted);
        if (Rooms.Add(name))
        {
            rooms.AddLocalConnection(name);
        }

        try
        {
            await rooms.RecordJoinAsync(name);
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
        {
            // The caller is in the room, and the room list only feeds the cluster view, so the join still succeeds.
            ChatLog.RoomListUpdateFailed(logger, name, ex);
        }

        ChatLog.RoomJoined(logger, CurrentUser, name, Context.ConnectionId);

        await Clients.Group(ChatGroups.Room(name)).SendAsync(
            ClientMethods.RoomNotice,
            new RoomNotice(name, CurrentUser, Joined: true, instance.Name),
            Context.ConnectionAborted);
    }

    /// <summary>
    /// Returns the latest chat messages of a room the caller has joined, oldest first, from the history that the
    /// backplane keeps. Pages show them as earlier messages when they join a room.
    /// </summary>
    /// <param name="room">The room name.</param>
    /// <returns>
    /// The room messages among the room's latest <see cref="RecentEntryCount"/> history entries. The history also
    /// stores join and leave notices, so the list may be shorter.
    /// </returns>
    /// <exception cref="HubException">The caller is not in the room, or Redis could not be read.</exception>
    public async Task<IReadOnlyList<ChatMessage>> GetRecentMessages(string room)
    {
        var name = RequireName("room name", room);
        if (!Rooms.Contains(name))
        {
            throw new HubException($"You are not in the room '{name}'. Join it before reading its messages.");
        }

        IReadOnlyList<WsHubHistoryEntry> entries;
        try
        {
            entries = await history.ReadLatestAsync(ChatGroups.Room(name), RecentEntryCount, Context.ConnectionAborted);
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
        {
            ChatLog.RecentMessagesReadFailed(logger, name, ex);
            throw new HubException($"The recent messages of room '{name}' could not be read: {ex.Message}");
        }

        var messages = new List<ChatMessage>(entries.Count);
        foreach (var entry in entries)
        {
            if (entry.MethodName != ClientMethods.RoomMessage || entry.Arguments.Count != 1)
            {
                continue;
            }

            try
            {
                messages.Add(entry.Arguments[0].Deserialize<ChatMessage>(JsonSerializerOptions.Web)
                    ?? throw new JsonException("The message is null."));
            }
            catch (JsonException ex)
            {
                ChatLog.HistoryEntryInvalid(logger, name, entry.Offset, ex);
            }
        }

        return messages;
    }

    /// <summary>
    /// Removes the caller from a room and sends a notice to the remaining members.
    /// </summary>
    /// <param name="room">The room name.</param>
    /// <returns>A task that completes when the caller has left the room.</returns>
    public async Task LeaveRoom(string room)
    {
        var name = RequireName("room name", room);

        await Groups.RemoveFromGroupAsync(Context.ConnectionId, ChatGroups.Room(name), Context.ConnectionAborted);
        if (Rooms.Remove(name))
        {
            rooms.RemoveLocalConnection(name);
        }

        ChatLog.RoomLeft(logger, CurrentUser, name, Context.ConnectionId);

        await Clients.Group(ChatGroups.Room(name)).SendAsync(
            ClientMethods.RoomNotice,
            new RoomNotice(name, CurrentUser, Joined: false, instance.Name),
            Context.ConnectionAborted);
    }

    /// <summary>
    /// Sends a message to every member of a room the caller has joined.
    /// </summary>
    /// <param name="room">The room name.</param>
    /// <param name="text">The message text, at most 2000 characters.</param>
    /// <returns>A task that completes when the message is handed to the backplane.</returns>
    /// <exception cref="HubException">The caller is not in the room, or the text is invalid.</exception>
    public Task SendToRoom(string room, string text)
    {
        var name = RequireName("room name", room);
        RequireText(text);
        if (!Rooms.Contains(name))
        {
            throw new HubException($"You are not in the room '{name}'. Join it before sending to it.");
        }

        var message = NewMessage("room", name, text);
        return Clients.Group(ChatGroups.Room(name)).SendAsync(ClientMethods.RoomMessage, message, Context.ConnectionAborted);
    }

    /// <summary>
    /// Sends a message to every connection of a user, on any instance.
    /// </summary>
    /// <param name="user">The receiving user name.</param>
    /// <param name="text">The message text, at most 2000 characters.</param>
    /// <returns>A task that completes when the message is handed to the backplane.</returns>
    /// <remarks>Sending to a user who is not connected anywhere succeeds and delivers nothing, as SignalR does.</remarks>
    public Task SendToUser(string user, string text)
    {
        var name = RequireName("user name", user);
        RequireText(text);

        var message = NewMessage("direct", name, text);
        return Clients.User(name).SendAsync(ClientMethods.DirectMessage, message, Context.ConnectionAborted);
    }

    /// <summary>
    /// Sends a message to every connected client on every instance.
    /// </summary>
    /// <param name="text">The message text, at most 2000 characters.</param>
    /// <returns>A task that completes when the message is handed to the backplane.</returns>
    public Task SendToAll(string text)
    {
        RequireText(text);

        var message = NewMessage("all", null, text);
        return Clients.All.SendAsync(ClientMethods.Broadcast, message, Context.ConnectionAborted);
    }

    /// <summary>
    /// Invokes <see cref="ClientMethods.Ping"/> on another connection, which may sit on another instance, and
    /// returns its reply and the round-trip time.
    /// </summary>
    /// <param name="connectionId">The connection to ping; not the caller's own.</param>
    /// <returns>The reply and the round-trip time.</returns>
    /// <exception cref="HubException">
    /// The connection id is missing or longer than <see cref="MaxConnectionIdLength"/>, the connection is the caller,
    /// is not connected, did not reply within 5 seconds, or the backplane timed out.
    /// </exception>
    public async Task<PingResult> PingConnection(string connectionId)
    {
        if (string.IsNullOrEmpty(connectionId))
        {
            throw new HubException("The connection id is missing.");
        }

        if (connectionId.Length > MaxConnectionIdLength)
        {
            throw new HubException(
                $"The connection id is {connectionId.Length} characters long; the maximum is {MaxConnectionIdLength}.");
        }

        // The hub runs one invocation per connection at a time by default, so a connection that waited for its
        // own client result would block until the timeout.
        if (connectionId == Context.ConnectionId)
        {
            throw new HubException("A connection cannot ping itself. Use the Ping button on a message from another user.");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Context.ConnectionAborted);
        timeout.CancelAfter(PingTimeout);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var reply = await Clients.Client(connectionId).InvokeAsync<string>(ClientMethods.Ping, CurrentUser, timeout.Token);
            return new PingResult(reply, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (OperationCanceledException) when (!Context.ConnectionAborted.IsCancellationRequested)
        {
            ChatLog.PingTimedOut(logger, connectionId, PingTimeout.TotalSeconds);
            throw new HubException($"The connection '{connectionId}' did not reply within {PingTimeout.TotalSeconds} seconds.");
        }
        catch (Exception ex) when (ex is IOException or TimeoutException)
        {
            // The backplane reports a connection that is not connected anywhere as an IOException, and a Redis call
            // that took longer than WsHubOptions.OperationTimeout as a TimeoutException.
            ChatLog.PingFailed(logger, connectionId, ex);
            throw new HubException($"The connection '{connectionId}' could not be pinged: {ex.Message}");
        }
    }

    private string CurrentUser => Context.UserIdentifier
        ?? throw new HubException("The connection has no valid user name.");

    private HashSet<string> Rooms => (HashSet<string>)Context.Items[RoomsItemKey]!;

    private ChatMessage NewMessage(string kind, string? target, string text)
    {
        return new ChatMessage(
            Guid.NewGuid(),
            kind,
            CurrentUser,
            Context.ConnectionId,
            target,
            text,
            instance.Name,
            DateTimeOffset.UtcNow);
    }

    private static string RequireName(string kind, string? value)
    {
        return ChatInput.TryValidateName(kind, value, out var name, out var error) ? name : throw new HubException(error);
    }

    private static void RequireText(string? text)
    {
        if (!ChatInput.TryValidateText(text, out var error))
        {
            throw new HubException(error);
        }
    }
}
