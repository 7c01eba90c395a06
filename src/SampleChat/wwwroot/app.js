// The sample chat page. All user text reaches the page through textContent, never through innerHTML.
"use strict";

(() => {
  const elements = {
    state: document.getElementById("connection-state"),
    instance: document.getElementById("instance-name"),
    loginForm: document.getElementById("login-form"),
    userName: document.getElementById("user-name"),
    connectButton: document.getElementById("connect-button"),
    disconnectButton: document.getElementById("disconnect-button"),
    roomForm: document.getElementById("room-form"),
    roomName: document.getElementById("room-name"),
    joinButton: document.getElementById("join-button"),
    leaveButton: document.getElementById("leave-button"),
    currentRoom: document.getElementById("current-room"),
    reconnectBanner: document.getElementById("reconnect-banner"),
    onlineHint: document.getElementById("online-hint"),
    onlineList: document.getElementById("online-list"),
    directForm: document.getElementById("direct-form"),
    directUser: document.getElementById("direct-user"),
    directText: document.getElementById("direct-text"),
    directButton: document.getElementById("direct-button"),
    error: document.getElementById("error"),
    messages: document.getElementById("messages"),
    messageForm: document.getElementById("message-form"),
    messageText: document.getElementById("message-text"),
    sendRoomButton: document.getElementById("send-room-button"),
    sendAllButton: document.getElementById("send-all-button"),
  };

  let connection = null;
  let session = null;
  // True once the user pressed Disconnect, so a closed connection stays closed.
  let stopRequested = false;
  let currentRoom = null;
  // The room that the page is joining from the room form. The server replays missed messages, or reports that it
  // cannot, during the join, before the page makes the room its current one.
  let joiningRoom = null;
  // Counts online list requests, so that a slow older reply never overwrites a newer one.
  let membersRequest = 0;
  let membersRefreshTimer = null;
  // The error text that a failed online list request showed, such as the one while Redis is unreachable. The next
  // successful request removes it, unless another error has replaced it.
  let membersErrorText = null;
  // Ids of the chat messages on the page. A room message can arrive live and again among the recent messages that
  // the page loads on a join, and the page shows it once.
  const shownMessageIds = new Set();

  // Instances that stop tell their clients to reconnect, so many clients may retry at the same moment. The first
  // retry waits a random 0.2 to 1 s to spread them out, later ones back off up to 5 s, and the page gives up after
  // 2 minutes. The count starts again after every successful reconnect.
  const reconnectPolicy = {
    nextRetryDelayInMilliseconds(context) {
      if (context.elapsedMilliseconds > 120_000) {
        return null;
      }
      if (context.previousRetryCount === 0) {
        return 200 + Math.random() * 800;
      }
      return Math.min(5000, 1000 * context.previousRetryCount);
    },
  };

  // Notices refresh the list at once; this timer also catches members of an instance that died without notice.
  const membersRefreshIntervalMs = 10_000;

  // The server keeps the rooms' recent messages and replays the ones a page missed when it reconnects with the same
  // resume key. The key is random, per tab and user, and sessionStorage keeps it across reconnects and reloads.
  // NOTE: a duplicated tab copies sessionStorage, so both tabs share one key. Each connection then takes over from
  // the other one, and the server closes the older connection every time the other tab reconnects.
  function resumeKeyFor(user) {
    const storageKey = `wshub-resume:${user}`;
    let key = sessionStorage.getItem(storageKey);
    if (key === null) {
      // crypto.randomUUID exists only in secure contexts, and the demo may run on plain HTTP on another host.
      const bytes = crypto.getRandomValues(new Uint8Array(16));
      key = Array.from(bytes, (value) => value.toString(16).padStart(2, "0")).join("");
      sessionStorage.setItem(storageKey, key);
    }
    return key;
  }

  // Prefill the name and room from the page address, such as /?user=alice&room=lobby.
  const pageQuery = new URLSearchParams(window.location.search);
  elements.userName.value = pageQuery.get("user") ?? "";
  elements.roomName.value = pageQuery.get("room") ?? elements.roomName.value;

  function setState(state, label) {
    elements.state.dataset.state = state;
    elements.state.textContent = label;
    const connected = state === "connected";
    elements.userName.disabled = state !== "disconnected";
    elements.connectButton.disabled = state !== "disconnected";
    elements.disconnectButton.disabled = state === "disconnected";
    elements.joinButton.disabled = !connected;
    elements.directButton.disabled = !connected;
    elements.sendAllButton.disabled = !connected;
    elements.leaveButton.disabled = !connected || currentRoom === null;
    elements.sendRoomButton.disabled = !connected || currentRoom === null;
    elements.reconnectBanner.hidden = state !== "reconnecting";
  }

  function showError(error) {
    // HubException texts arrive after a fixed prefix; show only the server's own sentence.
    const text = String(error?.message ?? error);
    const marker = "HubException: ";
    const index = text.indexOf(marker);
    elements.error.textContent = index >= 0 ? text.slice(index + marker.length) : text;
    elements.error.hidden = false;
  }

  function clearError() {
    elements.error.hidden = true;
    elements.error.textContent = "";
  }

  function setCurrentRoom(room) {
    currentRoom = room;
    elements.currentRoom.textContent = room ?? "none";
    setState(elements.state.dataset.state, elements.state.textContent);
    if (room === null) {
      showMembers(null);
    }
  }

  function showMembers(members) {
    elements.onlineList.replaceChildren();
    if (members === null) {
      elements.onlineHint.textContent = "Join a room to see who is in it.";
      return;
    }

    for (const user of members.users) {
      const item = document.createElement("li");
      item.dataset.testid = "online-user";
      item.textContent = user;
      if (session && user === session.user) {
        item.classList.add("self");
      }
      elements.onlineList.append(item);
    }
    const count = members.users.length;
    const suffix = members.truncated ? " (list cut at the first 1000 connections)" : "";
    elements.onlineHint.textContent = `${count} ${count === 1 ? "user" : "users"} in ${members.room}${suffix}`;
  }

  // A draining instance sends one notice per closed connection, so notices arriving together cause one fetch.
  function scheduleMembersRefresh() {
    if (membersRefreshTimer !== null) {
      return;
    }

    membersRefreshTimer = setTimeout(() => {
      membersRefreshTimer = null;
      refreshMembers();
    }, 250);
  }

  async function refreshMembers() {
    const hub = connection;
    const room = currentRoom;
    if (hub === null || room === null || hub.state !== signalR.HubConnectionState.Connected) {
      return;
    }

    const request = ++membersRequest;
    try {
      const members = await hub.invoke("GetRoomMembers", room);
      if (request === membersRequest && room === currentRoom) {
        showMembers(members);
        if (membersErrorText !== null && elements.error.textContent === membersErrorText) {
          clearError();
        }
        membersErrorText = null;
      }
    } catch (error) {
      // A call cut off by a closing connection is not an error to show: the reconnect refreshes the list.
      if (hub.state !== signalR.HubConnectionState.Connected) {
        return;
      }

      showError(error);
      membersErrorText = elements.error.textContent;
    }
  }

  function createItem(kind, build) {
    const item = document.createElement("li");
    item.className = "message";
    item.dataset.kind = kind;
    build(item);
    return item;
  }

  function appendItem(kind, build) {
    const item = createItem(kind, build);
    elements.messages.append(item);
    item.scrollIntoView({ block: "end" });
    return item;
  }

  function appendNotice(text) {
    appendItem("notice", (item) => {
      item.textContent = text;
    });
  }

  function formatTime(value) {
    const date = value ? new Date(value) : new Date();
    return date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
  }

  // Records a chat message as shown and returns false when the page already shows it. Messages without an id,
  // such as the page's own copy of a sent direct message, are always shown.
  function markShown(message) {
    if (!message.id) {
      return true;
    }
    if (shownMessageIds.has(message.id)) {
      return false;
    }
    shownMessageIds.add(message.id);
    return true;
  }

  // Shows a message that arrived from the server. The page counts copies of messages it already shows in
  // data-duplicate-deliveries, which stays 0 when the server delivers each message once.
  function receiveMessage(kind, message) {
    if (!markShown(message)) {
      const list = elements.messages.dataset;
      list.duplicateDeliveries = String(Number(list.duplicateDeliveries ?? "0") + 1);
      return;
    }
    appendMessage(kind, message);
  }

  function appendMessage(kind, message) {
    const item = createMessageItem(kind, message);
    elements.messages.append(item);
    item.scrollIntoView({ block: "end" });
  }

  function createMessageItem(kind, message) {
    return createItem(kind, (item) => {
      item.dataset.from = message.from;
      const meta = document.createElement("div");
      meta.className = "message-meta";

      const sender = document.createElement("span");
      sender.className = "sender";
      sender.textContent = message.from;

      const where = document.createElement("span");
      where.className = "where";
      where.textContent = describeTarget(kind, message);

      const time = document.createElement("time");
      time.textContent = formatTime(message.sentAt);

      meta.append(sender, where, time);

      if (message.fromConnectionId && session && message.fromConnectionId !== session.connectionId) {
        const ping = document.createElement("button");
        ping.type = "button";
        ping.className = "ping-button secondary";
        ping.dataset.testid = "ping";
        ping.textContent = "Ping";
        ping.title = "Ask this connection for a reply and measure the round trip";
        ping.addEventListener("click", () => pingConnection(message.from, message.fromConnectionId));
        meta.append(ping);
      }

      const text = document.createElement("div");
      text.className = "message-text";
      text.dataset.testid = "message-body";
      text.textContent = message.text;

      item.append(meta, text);
    });
  }

  // Adds the divider under which the recent messages of a room will appear. The page adds it before it joins the
  // room, so the messages that the join replays and the live ones that follow appear below the recent ones.
  function appendHistoryDivider(room) {
    return appendItem("divider", (item) => {
      item.dataset.testid = "history-divider";
      item.dataset.room = room;
      item.textContent = `Loading earlier messages in ${room}\u2026`;
    });
  }

  // Loads the latest messages of a room and puts those the page does not show yet right under the divider, oldest
  // first. Messages that arrived live while the request ran are already below and are not shown twice.
  async function showRecentMessages(hub, room, divider) {
    let messages;
    try {
      messages = await hub.invoke("GetRecentMessages", room);
    } catch (error) {
      divider.textContent = `Earlier messages in ${room} could not be loaded`;
      showError(error);
      return;
    }

    let last = divider;
    for (const message of messages) {
      if (!markShown(message)) {
        continue;
      }
      const item = createMessageItem("room", message);
      item.dataset.earlier = "true";
      last.after(item);
      last = item;
    }

    if (last !== divider) {
      divider.textContent = `Earlier messages in ${room}`;
    } else if (messages.length === 0) {
      divider.textContent = `No earlier messages in ${room}`;
    } else {
      // The page already shows every recent message, for example after joining the same room again.
      divider.remove();
    }
  }

  function describeTarget(kind, message) {
    switch (kind) {
      case "room":
        return `in ${message.target} via ${message.instance}`;
      case "direct":
        return `to you via ${message.instance}`;
      case "direct-sent":
        return `to ${message.target}`;
      case "all":
        return `to everyone via ${message.instance}`;
      default:
        return "";
    }
  }

  async function pingConnection(user, connectionId) {
    clearError();
    try {
      const result = await connection.invoke("PingConnection", connectionId);
      const milliseconds = result.roundTripMilliseconds.toFixed(1);
      appendNotice(`Ping to ${user}: "${result.reply}" in ${milliseconds} ms`);
    } catch (error) {
      showError(error);
    }
  }

  function createConnection(user) {
    const hub = new signalR.HubConnectionBuilder()
      .withUrl(`chat?user=${encodeURIComponent(user)}&resume=${encodeURIComponent(resumeKeyFor(user))}`)
      .withAutomaticReconnect(reconnectPolicy)
      .configureLogging(signalR.LogLevel.Warning)
      .build();

    hub.on("RoomMessage", (message) => receiveMessage("room", message));
    hub.on("DirectMessage", (message) => receiveMessage("direct", message));
    hub.on("Broadcast", (message) => receiveMessage("all", message));

    // The server could not replay what a room received while this page was away, because its history no longer
    // reaches back that far or the old instance stopped without storing the page's position. The page shows a
    // notice and loads the recent messages again, which adds those it lacks among them.
    hub.on("WsHubRecoveryFailed", (group) => {
      const prefix = "room:";
      const room = group.startsWith(prefix) ? group.slice(prefix.length) : null;
      if (room === null || (room !== currentRoom && room !== joiningRoom)) {
        return;
      }
      appendItem("notice", (item) => {
        item.dataset.testid = "recovery-failed";
        item.textContent = `Some messages may be missing in ${room}: the server could not replay everything sent `
          + "while this page was away.";
      });
      showRecentMessages(hub, room, appendHistoryDivider(room));
    });
    hub.on("RoomNotice", (notice) => {
      const action = notice.joined ? "joined" : "left";
      appendNotice(`${notice.user} ${action} ${notice.room} via ${notice.instance}`);
      if (notice.room === currentRoom) {
        scheduleMembersRefresh();
      }
    });

    // A client result: the server waits for this return value and hands it to the connection that pinged.
    hub.on("Ping", (from) => {
      appendNotice(`${from} pinged you`);
      return `${session?.user ?? user} on ${session?.instance ?? "unknown instance"}`;
    });

    hub.onreconnecting(() => {
      setState("reconnecting", "Reconnecting...");
      elements.instance.textContent = "(reconnecting)";
    });
    hub.onreconnected(() => resumeSession(hub));
    hub.onclose(async (error) => {
      if (!stopRequested && session !== null && await restartAfterClose(hub)) {
        return;
      }

      connection = null;
      session = null;
      setCurrentRoom(null);
      elements.instance.textContent = "(not connected)";
      setState("disconnected", "Disconnected");
      if (error) {
        showError(error);
      }
    });

    return hub;
  }

  // Restores what a new connection id lacks: the session shown on the page, the room membership and the online list.
  async function resumeSession(hub) {
    clearError();
    try {
      await loadSession(hub);
      if (currentRoom !== null) {
        await hub.invoke("JoinRoom", currentRoom);
      }
      setState("connected", "Connected");
      appendNotice(`Reconnected to instance ${session.instance}`);
      await refreshMembers();
    } catch (error) {
      showError(error);
    }
  }

  // withAutomaticReconnect gives up when the server's close message does not allow a reconnect. A draining
  // instance sends a close message that allows it, but a second close message without it sometimes follows
  // and wins. The page did not ask to stop, so it starts the same connection again with the same delays and
  // returns true once it is back.
  async function restartAfterClose(hub) {
    setState("reconnecting", "Reconnecting...");
    elements.instance.textContent = "(reconnecting)";
    const started = Date.now();
    for (let retry = 0; ; retry++) {
      const delay = reconnectPolicy.nextRetryDelayInMilliseconds({
        previousRetryCount: retry,
        elapsedMilliseconds: Date.now() - started,
      });
      if (delay === null) {
        return false;
      }

      await new Promise((resolve) => setTimeout(resolve, delay));
      if (stopRequested) {
        return false;
      }

      try {
        await hub.start();
      } catch {
        continue;
      }

      await resumeSession(hub);
      return true;
    }
  }

  async function loadSession(hub) {
    session = await hub.invoke("GetSession");
    elements.instance.textContent = session.instance;
  }

  elements.loginForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearError();
    const user = elements.userName.value.trim();
    if (user.length === 0 || user.length > 64) {
      showError("Enter a name of 1 to 64 characters.");
      return;
    }

    stopRequested = false;
    setState("connecting", "Connecting");
    const hub = createConnection(user);
    try {
      await hub.start();
      connection = hub;
      await loadSession(hub);
      setState("connected", "Connected");
      appendNotice(`Connected as ${session.user}`);
    } catch (error) {
      // Stop a connection that started but could not load its session, so no half-open connection stays behind.
      connection = null;
      await hub.stop();
      setState("disconnected", "Disconnected");
      showError(error);
    }
  });

  elements.disconnectButton.addEventListener("click", async () => {
    clearError();
    stopRequested = true;
    if (connection !== null) {
      await connection.stop();
    }
  });

  elements.roomForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearError();
    const room = elements.roomName.value.trim();
    const hub = connection;
    let divider = null;
    try {
      // The page shows one room at a time, so joining a room leaves the previous one.
      if (currentRoom !== null && currentRoom !== room) {
        await hub.invoke("LeaveRoom", currentRoom);
        setCurrentRoom(null);
      }

      divider = appendHistoryDivider(room);
      joiningRoom = room;
      await hub.invoke("JoinRoom", room);
      setCurrentRoom(room);
      await Promise.all([refreshMembers(), showRecentMessages(hub, room, divider)]);
    } catch (error) {
      if (divider !== null && currentRoom !== room) {
        divider.remove();
      }
      showError(error);
    } finally {
      joiningRoom = null;
    }
  });

  elements.leaveButton.addEventListener("click", async () => {
    clearError();
    try {
      await connection.invoke("LeaveRoom", currentRoom);
      setCurrentRoom(null);
    } catch (error) {
      showError(error);
    }
  });

  elements.messageForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearError();
    const text = elements.messageText.value;
    try {
      await connection.invoke("SendToRoom", currentRoom, text);
      // The user may have typed the next message while this one was on its way; keep that text.
      if (elements.messageText.value === text) {
        elements.messageText.value = "";
      }
    } catch (error) {
      showError(error);
    }
  });

  elements.sendAllButton.addEventListener("click", async () => {
    clearError();
    try {
      await connection.invoke("SendToAll", elements.messageText.value);
      elements.messageText.value = "";
    } catch (error) {
      showError(error);
    }
  });

  elements.directForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearError();
    const to = elements.directUser.value.trim();
    const text = elements.directText.value;
    try {
      await connection.invoke("SendToUser", to, text);
      appendMessage("direct-sent", { from: session.user, target: to, text, sentAt: null });
      elements.directText.value = "";
    } catch (error) {
      showError(error);
    }
  });

  elements.messages.dataset.duplicateDeliveries = "0";
  setInterval(refreshMembers, membersRefreshIntervalMs);
  setState("disconnected", "Disconnected");
})();
