// chat.js - one conversation: history paged by scrolling up, live
// messages, own sends with their state (发送中 → 已发送 → 已读, or 发送失败
// with a resend that reuses the client id), recall, text, image, audio and
// video files with upload progress, location (after its separate consent,
// asked here, at the moment of use), property cards, and the call buttons.
import { html, useEffect, useLayoutEffect, useRef, useState } from "../../lib/html.js";
import { useStore } from "../../lib/store.js";
import { navigate } from "../../lib/router.js";
import { upload } from "../../lib/api.js";
import { Button, ErrorNotice, TopBar, formatDuration, formatTime } from "../../lib/ui.js";
import { errorText } from "../../lib/errors.js";
import * as chat from "../chat.js";
import { startCall } from "../call.js";
import { displayName } from "./tabs.js";
import { LocationSend, PropertyForm } from "./attach.js";

const KIND_OF_TYPE = { image: "image", audio: "audio", video: "video" };

function Body({ m }) {
  const b = m.body;
  if (m.recalled_at || b === null)
    return html`<span class="muted">${m.sender_id === chat.myId() ? "你撤回了一条消息" : "对方撤回了一条消息"}</span>`;
  switch (m.kind) {
    case "text":
      return html`<span class="text">${b.text}</span>`;
    case "image":
      return b.media_id
        ? html`<img class="media" src=${`/v1/media/${b.media_id}`} alt="图片" loading="lazy" />`
        : html`<span>[图片]</span>`;
    case "audio":
      return html`<audio class="media" controls preload="none" src=${`/v1/media/${b.media_id}`}
        aria-label=${`语音 ${formatDuration(b.duration_ms)}`}></audio>`;
    case "video":
      return html`<video class="media" controls preload="metadata" src=${`/v1/media/${b.media_id}`}
        aria-label="视频"></video>`;
    case "location":
      return html`<span class="card-msg location">
        <span><span class="tag">位置</span> <strong>${b.name || "我的位置"}</strong></span>
        ${b.address && html`<span class="small">${b.address}</span>`}
        <span class="small muted">${Number(b.lat).toFixed(5)}, ${Number(b.lng).toFixed(5)}</span>
      </span>`;
    case "property":
      return html`<span class="card-msg property">
        <span><span class="tag">楼盘</span> <strong>${b.name || "楼盘"}</strong></span>
        ${b.price_per_sqm && html`<span class="small">均价 ${b.price_per_sqm} 元/㎡</span>`}
        ${b.area && html`<span class="small">建面 ${b.area} ㎡</span>`}
        ${b.address && html`<span class="small muted">${b.address}</span>`}
      </span>`;
    case "call": {
      const what = { answered: `通话时长 ${formatDuration(b.duration_ms)}`, missed: "未接通",
        rejected: "已拒绝", cancelled: "已取消" }[b.outcome] || "通话";
      return html`<span class="muted">通话 · ${what}</span>`;
    }
    default:
      return html`<span class="muted">[暂不支持的消息]</span>`;
  }
}

function status(m, conv) {
  if (m.pending) return m.state === "failed" ? "failed" : "pending";
  return conv && conv.peer_read_seq >= m.seq ? "read" : "sent";
}

const STATUS_TEXT = { pending: "发送中", sent: "已发送", read: "已读", failed: "发送失败" };

function Bubble({ m, conv, showTime }) {
  const mine = m.sender_id === chat.myId();
  const st = mine ? status(m, conv) : null;
  const [err, setErr] = useState(null);
  const canRecall = mine && !m.pending && !m.recalled_at && m.body !== null && m.kind !== "call" &&
    Date.now() - m.created_at < 24 * 3600 * 1000;
  const recall = () => chat.recall(m).catch(setErr);
  return html`<li class=${`msg ${mine ? "mine" : "theirs"}`} data-msg-id=${m.id || ""}
      data-client-id=${m.client_id || ""} data-state=${st || ""} data-kind=${m.kind}>
    ${showTime && html`<div class="msg-time muted small">${formatTime(m.created_at)}</div>`}
    <div class="bubble"><${Body} m=${m} /></div>
    ${mine &&
    html`<div class="msg-meta small">
      <span class=${`status ${st}`} data-testid="msg-status">${STATUS_TEXT[st]}</span>
      ${st === "failed" &&
      html` <span class="visually-hidden">${errorText(m.error)}</span>
        <${Button} kind="link small" onClick=${() => chat.resend(m)} data-testid="resend">重发<//>`}
      ${canRecall && html` <${Button} kind="link small" onClick=${recall} data-testid="recall">撤回<//>`}
    </div>`}
    ${err && html`<div class="small" role="alert">${errorText(err)}</div>`}
  </li>`;
}

/** Keeps the view at the bottom as messages arrive (unless the reader
 * scrolled up), and in place when older ones are added on top. */
function useScroll(ref, items, onTop) {
  const atBottom = useRef(true);
  const lastFirst = useRef(null);
  const lastHeight = useRef(0);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const first = items.length ? items[0].id || items[0].client_id : null;
    if (lastFirst.current && first !== lastFirst.current && !atBottom.current) {
      el.scrollTop += el.scrollHeight - lastHeight.current; // older page added above
    } else if (atBottom.current) {
      el.scrollTop = el.scrollHeight;
    }
    lastFirst.current = first;
    lastHeight.current = el.scrollHeight;
    if (el.scrollHeight <= el.clientHeight) onTop(); // nothing to scroll yet: fetch older now
  }, [items]);
  const onScroll = () => {
    const el = ref.current;
    atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
    lastHeight.current = el.scrollHeight;
    if (el.scrollTop < 60) onTop();
  };
  return onScroll;
}

function Composer({ conv }) {
  const [text, setText] = useState("");
  const [menu, setMenu] = useState(false);
  const [uploads, setUploads] = useState([]);
  const [dialog, setDialog] = useState(null);
  const fileRef = useRef(null);
  const [accept, setAccept] = useState("image/*");

  const sendText = (e) => {
    e.preventDefault();
    const t = text.trim();
    if (!t) return;
    chat.send(conv.id, "text", { text: t });
    setText("");
  };
  const pick = (types) => {
    setAccept(types);
    setMenu(false);
    setTimeout(() => fileRef.current && fileRef.current.click(), 0);
  };
  const onFile = async (e) => {
    const file = e.currentTarget.files[0];
    e.currentTarget.value = "";
    if (!file) return;
    const key = `${Date.now()}-${file.name}`;
    const set = (patch) => setUploads((u) => u.map((x) => (x.key === key ? { ...x, ...patch } : x)));
    setUploads((u) => u.concat({ key, name: file.name, progress: 0, error: null }));
    try {
      const info = await upload(file, (p) => set({ progress: p }));
      const kind = KIND_OF_TYPE[info.content_type.split("/")[0]];
      const body = { media_id: info.id };
      if (kind !== "image") body.duration_ms = await durationOf(file);
      chat.send(conv.id, kind, body);
      setUploads((u) => u.filter((x) => x.key !== key));
    } catch (err) {
      set({ error: err });
    }
  };
  return html`<div class="composer">
    ${uploads.map(
      (u) => html`<div class="upload" key=${u.key} data-testid="upload">
        <span class="small">${u.name}</span>
        ${u.error
          ? html`<${ErrorNotice} error=${u.error}>
              <span class="small"> ${u.error.serverMessage}</span>
              <${Button} kind="link small" onClick=${() => setUploads((x) => x.filter((y) => y.key !== u.key))}>关闭<//>
            <//>`
          : html`<progress max="1" value=${u.progress} aria-label=${`上传 ${u.name}`}></progress>`}
      </div>`
    )}
    <form class="row composer-row" onSubmit=${sendText}>
      <${Button} kind="secondary small" aria-expanded=${menu ? "true" : "false"} aria-controls="attach-menu"
        onClick=${() => setMenu(!menu)} aria-label="更多" data-testid="attach">＋<//>
      <label class="visually-hidden" for="composer-text">消息</label>
      <textarea id="composer-text" class="grow" rows="1" value=${text} placeholder="输入消息"
        onInput=${(e) => setText(e.currentTarget.value)} data-testid="composer"
        onKeyDown=${(e) => e.key === "Enter" && !e.shiftKey && !e.isComposing && sendText(e)}></textarea>
      <${Button} type="submit" kind="small" data-testid="send">发送<//>
    </form>
    ${menu &&
    html`<div id="attach-menu" class="attach-menu row" role="group" aria-label="发送其他内容">
      <${Button} kind="secondary small" onClick=${() => pick("image/jpeg,image/png,image/webp")}>图片<//>
      <${Button} kind="secondary small" onClick=${() => pick("video/mp4")}>视频<//>
      <${Button} kind="secondary small" onClick=${() => pick("audio/*")}>语音文件<//>
      <${Button} kind="secondary small" onClick=${() => (setMenu(false), setDialog("location"))} data-testid="send-location">位置<//>
      <${Button} kind="secondary small" onClick=${() => (setMenu(false), setDialog("property"))} data-testid="send-property">楼盘卡片<//>
    </div>`}
    <input type="file" class="visually-hidden" ref=${fileRef} accept=${accept} onChange=${onFile}
      aria-label="选择文件" data-testid="file" tabindex="-1" />
    ${dialog === "location" && html`<${LocationSend} conv=${conv} onClose=${() => setDialog(null)} />`}
    ${dialog === "property" && html`<${PropertyForm} conv=${conv} onClose=${() => setDialog(null)} />`}
  </div>`;
}

/** The length of an audio or video file, as the browser reads it (0 when
 * it cannot, e.g. AMR). */
function durationOf(file) {
  return new Promise((resolve) => {
    const el = document.createElement(file.type.startsWith("video") ? "video" : "audio");
    const url = URL.createObjectURL(file);
    const done = (ms) => {
      URL.revokeObjectURL(url);
      resolve(ms);
    };
    el.preload = "metadata";
    el.onloadedmetadata = () => done(Number.isFinite(el.duration) ? Math.round(el.duration * 1000) : 0);
    el.onerror = () => done(0);
    setTimeout(() => done(0), 3000);
    el.src = url;
  });
}

export function ChatView({ id }) {
  const s = useStore(chat.chat);
  const conv = s.convs[id];
  const list = s.msgs[id];
  const [error, setError] = useState(null);
  const scroller = useRef(null);
  useEffect(() => {
    chat.openConversation(id).catch(setError);
    return () => chat.closeConversation();
  }, [id]);
  const items = list ? list.items : [];
  // older messages are asked for relative to the oldest one on screen, so a
  // page the store holds but has not rendered yet is not skipped over
  const shownOldest = items.find((x) => !x.pending);
  const onTop = () => shownOldest && chat.loadOlder(id, shownOldest.seq).catch(() => {});
  const onScroll = useScroll(scroller, items, onTop);
  useEffect(() => {
    const read = () => document.visibilityState === "visible" && chat.markRead(id);
    read();
    document.addEventListener("visibilitychange", read);
    return () => document.removeEventListener("visibilitychange", read);
  }, [id, conv && conv.last_seq]);
  const name = conv ? displayName(conv.peer) : "";
  const cancelled = conv && conv.peer && conv.peer.cancelled;
  return html`<div class="chat-view">
    <${TopBar} title=${name} back=${() => navigate("/")}>
      ${conv && !cancelled &&
      html`<${Button} kind="secondary small" onClick=${() => startCall(conv, "audio")} aria-label="语音通话" data-testid="call-audio">语音<//>
        <${Button} kind="secondary small" onClick=${() => startCall(conv, "video")} aria-label="视频通话" data-testid="call-video">视频<//>`}
    <//>
    <${ErrorNotice} error=${error} />
    <div class="messages" ref=${scroller} onScroll=${onScroll} tabindex="0" aria-label="消息记录">
      ${list && list.hasMore && html`<p class="center muted small">${list.loadingOlder ? "正在加载…" : "上滑查看更早的消息"}</p>`}
      ${list && !list.hasMore && items.length > 0 && html`<p class="center muted small">以上是全部消息</p>`}
      <ol class="msg-list" aria-live="polite" data-testid="messages">
        ${items.map((m, i) => html`<${Bubble} key=${m.id || m.client_id} m=${m} conv=${conv}
          showTime=${i === 0 || m.created_at - items[i - 1].created_at > 5 * 60 * 1000} />`)}
      </ol>
    </div>
    ${cancelled
      ? html`<p class="center muted" role="status">对方已注销账号，无法继续发送消息。</p>`
      : conv && html`<${Composer} conv=${conv} />`}
  </div>`;
}
