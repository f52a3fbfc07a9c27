// chat.js - conversations and messages as this tab knows them, kept in
// step with the server by applying events from the stream (realtime.js).
// Every event is applied idempotently (a message by id, a conversation by
// its last_seq), so a replayed or duplicate event never doubles anything.
// Own sends show at once as pending, become sent on their ack (or on the
// event from another tab), read when the peer's read position passes
// them, failed on an error or a timeout; a resend reuses the client_id.
import { api } from "../lib/api.js";
import { createStore } from "../lib/store.js";
import * as rt from "./realtime.js";

export const chat = createStore({ ready: false, convs: {}, msgs: {}, openId: null });
const listeners = new Set(); // other kinds of events (calls, notices)

let me = null;
let notifyScheduled = false;
let draft = null; // state being changed before the next notification

function state() {
  return draft || chat.get();
}

/** Changes are applied to a draft and published once per frame, so a
 * burst of events renders once. */
function update(fn) {
  draft = fn({ ...state() }) || draft;
  if (!notifyScheduled) {
    notifyScheduled = true;
    // a hidden tab gets no animation frames: publish on a timer there
    const later = document.visibilityState === "visible" ? requestAnimationFrame : (fn) => setTimeout(fn, 50);
    later(() => {
      notifyScheduled = false;
      const d = draft;
      draft = null;
      if (d) chat.set(() => d);
    });
  }
}

export function onChatEvent(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

function putConv(s, c) {
  s.convs = { ...s.convs, [c.id]: c };
}

function putMsgs(s, id, m) {
  s.msgs = { ...s.msgs, [id]: m };
}

/** Loads every conversation (pages of 50; the list is small per user). */
async function loadConversations() {
  const convs = {};
  let cursor = null;
  for (let page = 0; page < 20; page++) {
    const j = await api("GET", `/v1/conversations?limit=50${cursor ? `&cursor=${cursor}` : ""}`);
    for (const c of j.items) convs[c.id] = c;
    cursor = j.next_cursor;
    if (!cursor) break;
  }
  return convs;
}

export async function loadAll() {
  const convs = await loadConversations();
  // the open conversation keeps what it shows until its reload replaces it
  // (an empty list in between would flash and lose the reader's place)
  update((s) => ({ ...s, ready: true, convs, msgs: s.openId && s.msgs[s.openId] ? { [s.openId]: s.msgs[s.openId] } : {} }));
  const open = state().openId;
  if (open) await openConversation(open, true);
}

export function setMe(user) {
  me = user;
}

export function myId() {
  return me && me.id;
}

function sortedInsert(items, m) {
  if (items.some((x) => x.id === m.id)) return items.map((x) => (x.id === m.id ? m : x));
  // a pending copy of one's own send (this tab) becomes the stored message
  const rest = items.filter((x) => !(x.pending && x.client_id === m.client_id && m.sender_id === me.id));
  const sent = rest.filter((x) => !x.pending);
  const pending = rest.filter((x) => x.pending);
  let i = sent.length;
  while (i > 0 && sent[i - 1].seq > m.seq) i--;
  sent.splice(i, 0, m);
  return sent.concat(pending);
}

function applyMessage(s, m, recalled) {
  const conv = s.convs[m.conversation_id];
  if (conv) {
    const c = { ...conv };
    if (m.seq > c.last_seq) {
      c.last_seq = m.seq;
      c.last_message = m;
      if (m.sender_id !== me.id && !(s.openId === c.id && document.visibilityState === "visible"))
        c.unread = (c.unread || 0) + 1;
    } else if (c.last_message && c.last_message.id === m.id) {
      c.last_message = m;
    }
    putConv(s, c);
  }
  const list = s.msgs[m.conversation_id];
  if (list && (recalled || !list.items.some((x) => x.id === m.id && !x.pending))) {
    if (recalled && !list.items.some((x) => x.id === m.id)) return;
    putMsgs(s, m.conversation_id, { ...list, items: sortedInsert(list.items, m) });
  }
}

async function fetchConv(id) {
  try {
    const c = await api("GET", `/v1/conversations/${id}`);
    update((s) => {
      putConv(s, c);
      return s;
    });
  } catch (e) {
    /* gone or not ours: nothing to show */
  }
}

/** One event of the user's stream. */
export function applyEvent(ev) {
  const d = ev.data || {};
  switch (ev.type) {
    case "conversation.created":
      update((s) => {
        if (!s.convs[d.conversation.id]) putConv(s, d.conversation);
        return s;
      });
      break;
    case "message.created":
    case "message.recalled": {
      const m = d.message;
      if (!state().convs[m.conversation_id]) fetchConv(m.conversation_id);
      update((s) => {
        applyMessage(s, m, ev.type === "message.recalled");
        return s;
      });
      break;
    }
    case "conversation.read":
      update((s) => {
        const conv = s.convs[d.conversation_id];
        if (!conv) return s;
        const c = { ...conv };
        if (d.user_id === me.id) {
          c.read_seq = Math.max(c.read_seq, d.seq);
          if (c.read_seq >= c.last_seq) c.unread = 0;
          else fetchConv(c.id); // exact unread count from the server
        } else {
          c.peer_read_seq = Math.max(c.peer_read_seq, d.seq);
        }
        putConv(s, c);
        return s;
      });
      break;
    default:
      break;
  }
  for (const fn of listeners) fn(ev);
}

/** Opens a conversation: its latest page of messages (once). */
export async function openConversation(id, reload = false) {
  update((s) => ({ ...s, openId: id }));
  if (!reload && state().msgs[id]) return;
  const j = await api("GET", `/v1/conversations/${id}/messages?limit=30`);
  update((s) => {
    const old = s.msgs[id];
    const pending = old ? old.items.filter((x) => x.pending) : [];
    let items = j.items;
    for (const p of pending) items = items.some((x) => x.client_id === p.client_id && x.sender_id === me.id) ? items : items.concat(p);
    putMsgs(s, id, { items, hasMore: j.has_more, loadingOlder: false });
    return s;
  });
  if (!state().convs[id]) await fetchConv(id);
}

export function closeConversation() {
  update((s) => ({ ...s, openId: null }));
}

/** The page before the oldest loaded message (scrolling up). `shownSeq` is
 * the oldest message the view has rendered: when the store already holds
 * something else (a reload or a page not drawn yet), the view decides
 * again after its next render instead of fetching past what it showed. */
export async function loadOlder(id, shownSeq) {
  const list = state().msgs[id];
  if (!list || !list.hasMore || list.loadingOlder) return;
  const oldest = list.items.find((x) => !x.pending);
  if (!oldest || (shownSeq !== undefined && oldest.seq !== shownSeq)) return;
  update((s) => {
    putMsgs(s, id, { ...s.msgs[id], loadingOlder: true });
    return s;
  });
  try {
    const j = await api("GET", `/v1/conversations/${id}/messages?limit=30&before_seq=${oldest.seq}`);
    update((s) => {
      const cur = s.msgs[id];
      const have = new Set(cur.items.map((x) => x.id));
      putMsgs(s, id, {
        ...cur,
        items: j.items.filter((x) => !have.has(x.id)).concat(cur.items),
        hasMore: j.has_more,
        loadingOlder: false,
      });
      return s;
    });
  } catch (e) {
    update((s) => {
      putMsgs(s, id, { ...s.msgs[id], loadingOlder: false });
      return s;
    });
    throw e;
  }
}

function setPending(convId, clientId, patch) {
  update((s) => {
    const list = s.msgs[convId];
    if (!list) return s;
    putMsgs(s, convId, {
      ...list,
      items: list.items.map((x) => (x.pending && x.client_id === clientId ? { ...x, ...patch } : x)),
    });
    return s;
  });
}

function transmit(p) {
  setPending(p.conversation_id, p.client_id, { state: "pending", error: null });
  const frame = { type: "send", conversation_id: p.conversation_id, client_id: p.client_id, kind: p.kind, body: p.body };
  return rt.request(frame, 12000, true).then(
    (ack) =>
      update((s) => {
        applyMessage(s, ack.message, false);
        return s;
      }),
    (err) => setPending(p.conversation_id, p.client_id, { state: "failed", error: err })
  );
}

function newClientId() {
  return "web-" + (crypto.randomUUID ? crypto.randomUUID() : Date.now() + "-" + Math.random());
}

/** Sends a message: shown at once, stored once whatever the retries. */
export function send(convId, kind, body) {
  const p = {
    id: null,
    pending: true,
    state: "pending",
    client_id: newClientId(),
    conversation_id: convId,
    sender_id: me.id,
    kind,
    body,
    created_at: Date.now(),
  };
  update((s) => {
    const list = s.msgs[convId] || { items: [], hasMore: false };
    putMsgs(s, convId, { ...list, items: list.items.concat(p) });
    return s;
  });
  return transmit(p);
}

export function resend(p) {
  return transmit(p);
}

export async function recall(m) {
  const t = await api("POST", `/v1/messages/${m.id}/recall`);
  update((s) => {
    applyMessage(s, t, true);
    return s;
  });
}

/** Moves my read position to the last message shown. */
export function markRead(convId) {
  const c = state().convs[convId];
  if (!c || c.read_seq >= c.last_seq) return;
  const seq = c.last_seq;
  update((s) => {
    putConv(s, { ...s.convs[convId], read_seq: seq, unread: 0 });
    return s;
  });
  rt.request({ type: "read", conversation_id: convId, seq }).catch(() =>
    api("POST", `/v1/conversations/${convId}/read`, { seq }).catch(() => {})
  );
}

/** Opens (or finds) the conversation with a user id; with a development
 * (from its consultant list), the chat starts with its card. */
export async function startWith(peerId, developmentId) {
  const body = { peer_id: String(peerId) };
  if (developmentId) body.development_id = String(developmentId);
  const c = await api("POST", "/v1/conversations", body);
  update((s) => {
    putConv(s, { ...(s.convs[c.id] || {}), ...c });
    return s;
  });
  return c;
}

export function reset() {
  draft = null;
  chat.set({ ready: false, convs: {}, msgs: {}, openId: chat.get().openId });
}

/** A short preview of a message for the list. */
export function preview(m) {
  if (!m) return "";
  if (m.recalled_at || m.body === null) return m.sender_id === (me && me.id) ? "你撤回了一条消息" : "对方撤回了一条消息";
  switch (m.kind) {
    case "text":
      return m.body.text;
    case "image":
      return "[图片]";
    case "audio":
      return "[语音]";
    case "video":
      return "[视频]";
    case "location":
      return `[位置] ${m.body.name || ""}`.trim();
    case "property":
      return `[楼盘] ${m.body.name || ""}`.trim();
    case "call":
      return "[通话]";
    default:
      return "[消息]";
  }
}
