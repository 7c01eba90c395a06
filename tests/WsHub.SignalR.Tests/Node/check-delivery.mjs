// Connects SignalR clients to two SampleChat instances and checks that group, user and all messages and a
// client result cross between them. The clients on instance A use JSON, bob on instance B uses MessagePack,
// so every message also crosses from one protocol to the other. Usage: node check-delivery.mjs URL_A URL_B
// Prints one "ok" line per check and "all checks passed" at the end; exits with 1 on the first failure.
import { randomUUID } from "node:crypto";
import * as signalR from "@microsoft/signalr";
import { MessagePackHubProtocol } from "@microsoft/signalr-protocol-msgpack";

const waitTimeoutMs = 10_000;
const [urlA, urlB] = process.argv.slice(2);
if (!urlA || !urlB) {
  console.error("usage: node check-delivery.mjs URL_A URL_B");
  process.exit(2);
}

const suffix = randomUUID().slice(0, 8);
const room = `room-${suffix}`;
const connections = [];

// A client with a queue of received messages per hub method, which checks wait on.
function createClient(baseUrl, user, protocol) {
  let builder = new signalR.HubConnectionBuilder()
    .withUrl(`${baseUrl.replace(/\/+$/, "")}/chat?user=${encodeURIComponent(user)}`)
    .configureLogging(signalR.LogLevel.Warning);
  if (protocol === "messagepack") {
    builder = builder.withHubProtocol(new MessagePackHubProtocol());
  }
  const connection = builder.build();
  const received = { RoomMessage: [], DirectMessage: [], Broadcast: [] };
  const waiters = [];

  for (const method of Object.keys(received)) {
    connection.on(method, (message) => {
      received[method].push(normalize(message));
      for (const waiter of [...waiters]) {
        waiter();
      }
    });
  }
  connection.on("Ping", (from) => `${user} replies to ${from}`);
  connection.on("RoomNotice", () => {});

  // Resolves with the first message of that method matching the predicate, or rejects after the timeout.
  function waitFor(method, predicate, description) {
    return new Promise((resolve, reject) => {
      const check = () => {
        const match = received[method].find(predicate);
        if (match) {
          clearTimeout(timer);
          waiters.splice(waiters.indexOf(check), 1);
          resolve(match);
        }
      };
      const timer = setTimeout(() => {
        waiters.splice(waiters.indexOf(check), 1);
        reject(new Error(`${user} did not receive ${description} within ${waitTimeoutMs} ms`));
      }, waitTimeoutMs);
      waiters.push(check);
      check();
    });
  }

  const client = { user, connection, received, waitFor };
  connections.push(connection);
  return client;
}

// The server's MessagePack resolver keeps .NET property names (Text), JSON uses camel case (text).
function normalize(value) {
  if (value === null || typeof value !== "object" || Array.isArray(value) || value instanceof Date) {
    return value;
  }
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [key.charAt(0).toLowerCase() + key.slice(1), normalize(item)]));
}

function pass(description) {
  console.log(`ok ${description}`);
}

function assert(condition, description) {
  if (!condition) {
    throw new Error(description);
  }
}

async function main() {
  const alice = createClient(urlA, `alice-${suffix}`, "json");
  const bob = createClient(urlB, `bob-${suffix}`, "messagepack");
  const carol = createClient(urlB, `carol-${suffix}`, "json");
  await Promise.all(connections.map((connection) => connection.start()));

  const sessionA = normalize(await alice.connection.invoke("GetSession"));
  const sessionB = normalize(await bob.connection.invoke("GetSession"));
  assert(sessionA.instance !== sessionB.instance,
    `alice and bob share instance ${sessionA.instance}; the check needs two instances`);
  pass(`alice (JSON) on ${sessionA.instance}, bob (MessagePack) and carol (JSON) on ${sessionB.instance}`);

  await alice.connection.invoke("JoinRoom", room);
  await bob.connection.invoke("JoinRoom", room);

  const roomText = `room message ${suffix}`;
  await alice.connection.invoke("SendToRoom", room, roomText);
  const roomMessage = await bob.waitFor("RoomMessage", (m) => m.text === roomText, "the room message from alice");
  assert(roomMessage.from === alice.user, `room message sender is ${roomMessage.from}, expected ${alice.user}`);
  assert(roomMessage.target === room, `room message target is ${roomMessage.target}, expected ${room}`);
  pass("group delivery from instance A to instance B");

  const replyText = `room reply ${suffix}`;
  await bob.connection.invoke("SendToRoom", room, replyText);
  await alice.waitFor("RoomMessage", (m) => m.text === replyText, "the room message from bob");
  pass("group delivery from instance B to instance A");

  const directToBob = `direct to bob ${suffix}`;
  await alice.connection.invoke("SendToUser", bob.user, directToBob);
  await bob.waitFor("DirectMessage", (m) => m.text === directToBob && m.from === alice.user, "the direct message");
  pass("user delivery from instance A to instance B");

  const directToAlice = `direct to alice ${suffix}`;
  await bob.connection.invoke("SendToUser", alice.user, directToAlice);
  await alice.waitFor("DirectMessage", (m) => m.text === directToAlice && m.from === bob.user, "the direct message");
  pass("user delivery from instance B to instance A");

  const broadcastText = `broadcast ${suffix}`;
  await alice.connection.invoke("SendToAll", broadcastText);
  await bob.waitFor("Broadcast", (m) => m.text === broadcastText, "the broadcast");
  await carol.waitFor("Broadcast", (m) => m.text === broadcastText, "the broadcast");
  await alice.waitFor("Broadcast", (m) => m.text === broadcastText, "its own broadcast");
  pass("all delivery from instance A to both instances");

  // Carol never joined the room, and no message was sent to her user. Redis delivers one publisher's messages in
  // order, so any room or direct message that wrongly reached her arrived before the broadcast she has seen.
  assert(carol.received.RoomMessage.length === 0,
    `carol is not in the room but received ${carol.received.RoomMessage.length} room messages`);
  assert(carol.received.DirectMessage.length === 0,
    `carol received ${carol.received.DirectMessage.length} direct messages meant for others`);
  pass("no room or direct message reached a client outside the room");

  const ping = normalize(await alice.connection.invoke("PingConnection", sessionB.connectionId));
  assert(ping.reply === `${bob.user} replies to ${alice.user}`, `ping reply is "${ping.reply}"`);
  pass("client result from instance B returned to instance A");

  const missingConnection = `missing-${suffix}`;
  const pingError = await alice.connection.invoke("PingConnection", missingConnection).then(() => null, (error) => error);
  assert(pingError !== null, `ping of ${missingConnection} succeeded, expected an error`);
  assert(String(pingError.message).includes(`The connection '${missingConnection}' could not be pinged`),
    `ping of ${missingConnection} failed with an unexpected error: ${pingError.message}`);
  pass("ping of an unknown connection returns an error");

  await bob.connection.invoke("LeaveRoom", room);
  const afterLeave = `after leave ${suffix}`;
  await alice.connection.invoke("SendToRoom", room, afterLeave);
  await alice.connection.invoke("SendToAll", `marker ${suffix}`);
  await bob.waitFor("Broadcast", (m) => m.text === `marker ${suffix}`, "the marker broadcast");
  assert(!bob.received.RoomMessage.some((m) => m.text === afterLeave), "bob received a room message after leaving the room");
  pass("no group delivery after leaving the room");

  console.log("all checks passed");
}

try {
  await main();
  process.exitCode = 0;
} catch (error) {
  console.error(`FAIL ${error?.message ?? error}`);
  process.exitCode = 1;
} finally {
  await Promise.allSettled(connections.map((connection) => connection.stop()));
}
