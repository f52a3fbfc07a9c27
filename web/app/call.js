// call.js - voice and video calls: WebRTC between two browsers, signalled
// over the server's `call` frames (invite, ringing, accept, reject, offer,
// answer, ice, hangup; timeout from the server). Only host candidates are
// used (no STUN/TURN servers: nothing leaves for a third party). A second
// call while one is going on is refused as busy.
import { createStore } from "../lib/store.js";
import * as rt from "./realtime.js";
import { myId, onChatEvent } from "./chat.js";

export const call = createStore({ phase: "idle" });

let pc = null;
let local = null;
let remote = null;
let pendingIce = [];
let statsTimer = null;

function signal(action, data = {}) {
  const c = call.get();
  return rt.request({ type: "call", conversation_id: c.convId, call_id: c.callId, action, data });
}

function cleanup() {
  clearInterval(statsTimer);
  statsTimer = null;
  if (pc) pc.close();
  pc = null;
  if (local) local.getTracks().forEach((t) => t.stop());
  local = null;
  remote = null;
  pendingIce = [];
}

function end(reason) {
  cleanup();
  const c = call.get();
  if (c.phase === "idle") return;
  call.set({ phase: "ended", reason, local: null, remote: null });
  setTimeout(() => call.get().phase === "ended" && call.get().callId === c.callId && call.set({ phase: "idle" }), 2500);
}

async function media(kind) {
  local = await navigator.mediaDevices.getUserMedia(kind === "video" ? { audio: true, video: true } : { audio: true });
  call.set({ local });
  return local;
}

function peerConnection() {
  pc = new RTCPeerConnection({ iceServers: [] });
  remote = new MediaStream();
  call.set({ remote });
  local.getTracks().forEach((t) => pc.addTrack(t, local));
  pc.ontrack = (e) => {
    remote.addTrack(e.track);
    call.set({ remote });
  };
  pc.onicecandidate = (e) => e.candidate && signal("ice", { candidate: e.candidate.toJSON() }).catch(() => {});
  pc.onconnectionstatechange = () => {
    if (!pc) return;
    if (pc.connectionState === "connected" && call.get().phase !== "active")
      call.set({ phase: "active", startedAt: Date.now() });
    if (pc.connectionState === "failed") hangup("连接失败");
  };
  statsTimer = setInterval(async () => {
    if (!pc) return;
    let bytes = 0;
    (await pc.getStats()).forEach((s) => {
      if (s.type === "inbound-rtp") bytes += s.bytesReceived || 0;
    });
    call.set({ bytes });
  }, 1000);
  return pc;
}

async function addIce(candidate) {
  if (!pc || !pc.remoteDescription) {
    pendingIce.push(candidate);
    return;
  }
  await pc.addIceCandidate(candidate).catch(() => {});
}

async function remoteDescription(desc) {
  await pc.setRemoteDescription(desc);
  const queued = pendingIce;
  pendingIce = [];
  for (const c of queued) await pc.addIceCandidate(c).catch(() => {});
}

function newCallId() {
  return "c-" + (crypto.randomUUID ? crypto.randomUUID() : Date.now() + "-" + Math.random());
}

/** Calls the peer of a conversation ("audio" or "video"). */
export async function startCall(conv, kind) {
  if (call.get().phase !== "idle" && call.get().phase !== "ended") return;
  call.set({ phase: "outgoing", callId: newCallId(), convId: conv.id, peer: conv.peer, kind, incoming: false,
    reason: null, bytes: 0, ringing: false, startedAt: null });
  try {
    await media(kind);
    await signal("invite", { media: kind });
  } catch (e) {
    end(e.name === "NotAllowedError" || e.name === "NotFoundError" ? "无法使用麦克风或摄像头" : "呼叫失败");
    if (e.code === undefined) signal("hangup").catch(() => {});
  }
}

export async function accept() {
  const c = call.get();
  if (c.phase !== "incoming") return;
  call.set({ phase: "connecting" });
  try {
    await media(c.kind);
    peerConnection();
    await signal("accept");
  } catch (e) {
    signal(e.code === undefined ? "reject" : "hangup").catch(() => {});
    end("无法接听");
  }
}

export function reject() {
  signal("reject").catch(() => {});
  end("已拒绝");
}

export function hangup(reason = "通话已结束") {
  const c = call.get();
  if (c.phase === "idle" || c.phase === "ended") return;
  signal("hangup").catch(() => {});
  end(reason);
}

async function onCall(d) {
  const c = call.get();
  const mine = d.from_user_id === myId();
  const same = c.callId === d.call_id && c.convId === d.conversation_id;
  if (d.action === "invite") {
    if (mine) return; // my other device is calling
    if (c.phase !== "idle" && c.phase !== "ended") {
      rt.request({ type: "call", conversation_id: d.conversation_id, call_id: d.call_id, action: "reject",
        data: { reason: "busy" } }).catch(() => {});
      return;
    }
    call.set({ phase: "incoming", callId: d.call_id, convId: d.conversation_id, kind: d.data.media === "video" ? "video" : "audio",
      incoming: true, reason: null, bytes: 0, startedAt: null, peer: null });
    signal("ringing").catch(() => {});
    return;
  }
  if (!same) return;
  if (mine && d.action !== "timeout") {
    // another device of mine answered or refused this call
    if (c.phase === "incoming" && (d.action === "accept" || d.action === "reject")) end("已在其他设备处理");
    return;
  }
  switch (d.action) {
    case "ringing":
      call.set({ ringing: true });
      break;
    case "accept":
      if (c.incoming || !local) return;
      call.set({ phase: "connecting" });
      peerConnection();
      await pc.setLocalDescription(await pc.createOffer());
      await signal("offer", { sdp: pc.localDescription.sdp, type: pc.localDescription.type });
      break;
    case "offer":
      if (!pc) return;
      await remoteDescription({ type: "offer", sdp: d.data.sdp });
      await pc.setLocalDescription(await pc.createAnswer());
      await signal("answer", { sdp: pc.localDescription.sdp, type: pc.localDescription.type });
      break;
    case "answer":
      if (pc) await remoteDescription({ type: "answer", sdp: d.data.sdp });
      break;
    case "ice":
      if (d.data.candidate) await addIce(d.data.candidate);
      break;
    case "reject":
      end(d.data.reason === "busy" ? "对方忙，请稍后再拨" : "对方已拒绝");
      break;
    case "hangup":
      end("对方已挂断");
      break;
    case "timeout":
      end(c.incoming ? "未接来电" : "无人接听");
      break;
    default:
      break;
  }
}

onChatEvent((ev) => {
  if (ev.type === "call") onCall(ev.data).catch(() => hangup("通话出错"));
  else if (ev.type === "message.created" && ev.data.message.kind === "call") {
    // the call's one message: the server ended it (e.g. a timeout)
    const c = call.get();
    if (c.callId === ev.data.message.body.call_id && c.phase !== "idle" && c.phase !== "ended") end("通话已结束");
  }
});
