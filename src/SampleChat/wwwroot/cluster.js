// The cluster view: polls /api/cluster and shows the live instances and the rooms with members.
// All server text reaches the page through textContent, never through innerHTML.
"use strict";

(() => {
  const refreshIntervalMs = 2000;
  const elements = {
    state: document.getElementById("refresh-state"),
    servedBy: document.getElementById("served-by"),
    error: document.getElementById("error"),
    instances: document.getElementById("instances"),
    rooms: document.getElementById("rooms"),
    roomsEmpty: document.getElementById("rooms-empty"),
    updatedAt: document.getElementById("updated-at"),
  };

  function formatTime(value) {
    return new Date(value).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
  }

  function cell(text, className) {
    const td = document.createElement("td");
    td.textContent = String(text);
    if (className) {
      td.className = className;
    }
    return td;
  }

  function render(snapshot) {
    elements.servedBy.textContent = snapshot.servedBy;

    const instanceRows = snapshot.instances.map((instance) => {
      const row = document.createElement("tr");
      row.dataset.testid = "instance-row";
      row.dataset.name = instance.name ?? "";
      row.dataset.state = instance.state;
      row.append(
        cell(instance.name ?? "(no name)"),
        cell(instance.instanceId),
        cell(instance.state),
        cell(instance.connectionCount, "number"),
        cell(formatTime(instance.startedAt)),
        cell(formatTime(instance.lastHeartbeat)));
      return row;
    });
    elements.instances.replaceChildren(...instanceRows);

    const roomRows = snapshot.rooms.map((room) => {
      const row = document.createElement("tr");
      row.dataset.testid = "room-row";
      row.dataset.room = room.name;
      row.append(cell(room.name), cell(room.connectionCount, "number"));
      return row;
    });
    elements.rooms.replaceChildren(...roomRows);
    elements.roomsEmpty.hidden = roomRows.length > 0;
    elements.updatedAt.textContent = formatTime(snapshot.generatedAt);
  }

  async function refresh() {
    try {
      const response = await fetch("api/cluster", { cache: "no-store" });
      if (!response.ok) {
        throw new Error(`GET /api/cluster returned ${response.status} ${response.statusText}.`);
      }
      render(await response.json());
      elements.error.hidden = true;
      elements.state.dataset.state = "connected";
      elements.state.textContent = "Live";
    } catch (error) {
      // Keep the last table and say that it is stale; the next tick tries again, maybe on another instance.
      elements.error.textContent = `Refresh failed: ${error.message}`;
      elements.error.hidden = false;
      elements.state.dataset.state = "reconnecting";
      elements.state.textContent = "Stale";
    } finally {
      setTimeout(refresh, refreshIntervalMs);
    }
  }

  refresh();
})();
