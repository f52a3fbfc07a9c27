// realtime.js - the one WebSocket of a tab (/v1/ws, on the session
// cookie). It keeps the cursor of the last event applied; after any drop
// it reconnects with ?cursor= and the server replays exactly what was
// missed. A cursor the server no longer keeps (cursor_expired) means a
// full resync, never a partial view. Requests (send, read, call) wait for
// their ack; sends still unanswered when the connection drops are sent
// again after it returns, with the same client_id (stored once).
import { createStore } from "../lib/store.js";

export const link = createStore({ status: "idle", tries: 0 });

const PING_MS = 20000;
const PONG_MS = 8000;

let ws = null;
let cursor = null;
let handlers = null;
let stopped = true;
let retryTimer = null;
let pingTimer = null;
let tries = 0;
let seq = 0;
let resync = false;
const inflight = new Map(); // req_id -> {frame, resolve, reject, timer, resend}
const queue = []; // req_ids waiting for an open socket

function wsURL() {
  const proto = location.protocol === "https:" ? "wss:" : "ws:";
  return `${proto}//${location.host}/v1/ws${cursor !== null ? `?cursor=${cursor}` : ""}`;
}

/** Starts the connection. h: {hello(first), event(ev), resync(), failed()}. */
export function start(h) {
  handlers = h;
  stopped = false;
  cursor = null;
  connect();
}

export function stop() {
  stopped = true;
  clearTimeout(retryTimer);
  clearInterval(pingTimer);
  if (ws) ws.close(1000);
  ws = null;
  for (const [id, r] of inflight) {
    clearTimeout(r.timer);
    r.reject(Object.assign(new Error("closed"), { code: "network" }));
    inflight.delete(id);
  }
  queue.length = 0;
  link.set({ status: "idle" });
}

function connect() {
  clearTimeout(retryTimer);
  if (stopped) return;
  link.set({ status: cursor === null ? "connecting" : "reconnecting", tries });
  const sock = new WebSocket(wsURL());
  ws = sock;
  let first = cursor === null;
  let lastFrame = Date.now();
  sock.onmessage = (m) => {
    lastFrame = Date.now();
    let f;
    try {
      f = JSON.parse(m.data);
    } catch (e) {
      return;
    }
    if (f.type === "hello") {
      tries = 0;
      if (first) cursor = f.cursor;
      link.set({ status: "open", tries: 0 });
      handlers.hello(first);
      first = false;
      flush();
    } else if (f.type === "event") {
      if (cursor !== null && f.event.seq <= cursor) return; // already applied
      cursor = f.event.seq;
      handlers.event(f.event);
    } else if (f.type === "error" && f.code === "cursor_expired") {
      resync = true;
    } else if (f.req_id !== undefined) {
      answer(f);
    }
  };
  sock.onclose = () => {
    if (ws !== sock) return;
    ws = null;
    clearInterval(pingTimer);
    // sends in flight go out again on the next connection (same client_id)
    for (const [id, r] of inflight) if (r.resend && !queue.includes(id)) queue.push(id);
    if (stopped) return;
    if (resync) {
      resync = false;
      cursor = null;
      handlers.resync();
    }
    tries++;
    link.set({ status: "offline", tries });
    // after the second failure, and now and then: does the session still stand?
    if (tries === 2 || tries % 10 === 0) handlers.failed();
    retryTimer = setTimeout(connect, Math.min(15000, 500 * 2 ** Math.min(tries, 5)));
  };
  clearInterval(pingTimer);
  pingTimer = setInterval(() => {
    if (sock.readyState !== WebSocket.OPEN) return;
    if (Date.now() - lastFrame > PING_MS + PONG_MS) {
      sock.close(); // silent too long: the network is gone
      return;
    }
    request({ type: "ping" }, PONG_MS).catch(() => {});
  }, PING_MS);
}

function flush() {
  while (queue.length && ws && ws.readyState === WebSocket.OPEN) {
    const id = queue.shift();
    const r = inflight.get(id);
    if (r) ws.send(JSON.stringify(r.frame));
  }
}

function answer(f) {
  const r = inflight.get(f.req_id);
  if (!r) return;
  inflight.delete(f.req_id);
  clearTimeout(r.timer);
  if (f.type === "error") r.reject(Object.assign(new Error(f.message), f));
  else r.resolve(f);
}

/** Sends a frame and resolves with its ack (rejects with the error frame,
 * or {code:"timeout"}). resend: send it again after a reconnect. */
export function request(frame, timeoutMs = 10000, resend = false) {
  const req_id = `r${++seq}`;
  const full = { ...frame, req_id };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      inflight.delete(req_id);
      const i = queue.indexOf(req_id);
      if (i >= 0) queue.splice(i, 1);
      reject(Object.assign(new Error("timeout"), { code: "timeout" }));
    }, timeoutMs);
    inflight.set(req_id, { frame: full, resolve, reject, timer, resend });
    if (ws && ws.readyState === WebSocket.OPEN && link.get().status === "open") ws.send(JSON.stringify(full));
    else queue.push(req_id);
  });
}

/** Reconnect now (the browser came back online, or the tab woke up). */
export function poke() {
  if (!stopped && !ws) connect();
}

addEventListener("online", poke);
document.addEventListener("visibilitychange", () => document.visibilityState === "visible" && poke());
