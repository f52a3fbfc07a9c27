// call.js - the call screen over any page: ringing (接听 / 拒绝), calling,
// the two video views or the audio, the bytes received (so a person sees
// the line is alive), and 挂断.
import { html, useEffect, useRef } from "../../lib/html.js";
import { useStore } from "../../lib/store.js";
import { Button, formatDuration } from "../../lib/ui.js";
import { accept, call, hangup, reject } from "../call.js";
import { chat } from "../chat.js";
import { displayName } from "./tabs.js";

function Media({ stream, muted, video, label, testid }) {
  const ref = useRef(null);
  useEffect(() => {
    if (ref.current && ref.current.srcObject !== stream) ref.current.srcObject = stream || null;
  }, [stream, stream && stream.getTracks().length]);
  return video
    ? html`<video ref=${ref} autoplay playsinline muted=${muted} aria-label=${label} data-testid=${testid}></video>`
    : html`<audio ref=${ref} autoplay muted=${muted} aria-label=${label} data-testid=${testid}></audio>`;
}

const TEXT = {
  outgoing: "正在呼叫…",
  incoming: "邀请您通话",
  connecting: "正在连接…",
  active: "通话中",
  ended: "通话已结束",
};

export function CallOverlay() {
  const c = useStore(call);
  const peer = useStore(chat, (s) => (c.convId && s.convs[c.convId] ? s.convs[c.convId].peer : null));
  if (c.phase === "idle") return null;
  const video = c.kind === "video";
  let line = TEXT[c.phase];
  if (c.phase === "outgoing" && c.ringing) line = "对方响铃中…";
  if (c.phase === "ended") line = c.reason || line;
  const kb = Math.round((c.bytes || 0) / 1024);
  return html`<section class="call" role="dialog" aria-modal="true" aria-labelledby="call-title"
      data-testid="call" data-phase=${c.phase}>
    <h2 id="call-title">${displayName(peer) || "通话"} · ${video ? "视频通话" : "语音通话"}</h2>
    <p role="status" data-testid="call-status">${line}
      ${c.phase === "active" && c.startedAt && html` <${Elapsed} since=${c.startedAt} />`}</p>
    ${video &&
    html`<div class="call-videos">
      <${Media} stream=${c.remote} video label="对方画面" testid="remote-video" />
      <${Media} stream=${c.local} video muted label="我的画面" testid="local-video" />
    </div>`}
    ${!video && c.remote && html`<${Media} stream=${c.remote} label="对方声音" testid="remote-audio" />`}
    ${(c.phase === "active" || c.phase === "connecting") &&
    html`<p class="small" data-testid="call-bytes" data-bytes=${c.bytes || 0}>已接收 ${kb} KB</p>`}
    <div class="row center-row">
      ${c.phase === "incoming" &&
      html`<${Button} kind="danger" onClick=${reject} data-testid="call-reject">拒绝<//>
        <${Button} onClick=${accept} data-testid="call-accept">接听<//>`}
      ${["outgoing", "connecting", "active"].includes(c.phase) &&
      html`<${Button} kind="danger" onClick=${() => hangup()} data-testid="call-hangup">挂断<//>`}
    </div>
  </section>`;
}

function Elapsed({ since }) {
  const ref = useRef(null);
  useEffect(() => {
    const t = setInterval(() => ref.current && (ref.current.textContent = formatDuration(Date.now() - since)), 1000);
    return () => clearInterval(t);
  }, [since]);
  return html`<span ref=${ref}>${formatDuration(Date.now() - since)}</span>`;
}
