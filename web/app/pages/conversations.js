// conversations.js - the list of conversations (most recent first, unread
// counts, last message preview, live), starting a conversation by 微聊号,
// and opening one from a shared /u/<id> link.
import { html, useEffect, useState } from "../../lib/html.js";
import { useStore } from "../../lib/store.js";
import { Link, navigate } from "../../lib/router.js";
import { Button, ErrorNotice, Field, TopBar, formatTime, useAction } from "../../lib/ui.js";
import { chat, preview, startWith } from "../chat.js";
import { Avatar, Tabs, displayName } from "./tabs.js";

function sortKey(c) {
  return (c.last_message && c.last_message.created_at) || c.created_at || 0;
}

export function Conversations() {
  const s = useStore(chat);
  const convs = Object.values(s.convs).sort((a, b) => sortKey(b) - sortKey(a));
  return html`<div class="with-tabs">
    <${TopBar} title="微聊">
      <${Button} kind="secondary small" onClick=${() => navigate("/new")} data-testid="new-chat">发起会话<//>
    <//>
    <main class="page">
      ${!s.ready && html`<p class="muted" role="status">正在同步…</p>`}
      ${s.ready && convs.length === 0 &&
      html`<div class="card center">
        <p>还没有会话。</p>
        <p class="muted small">把您的微聊号（在「我的」中）分享给对方，或输入对方的微聊号开始聊天。</p>
      </div>`}
      ${convs.length > 0 &&
      html`<ul class="list card conv-list" aria-label="会话列表">
        ${convs.map(
          (c) => html`<li key=${c.id}>
            <${Link} class="list-item" href=${`/chat/${c.id}`} data-conv=${c.id}>
              <${Avatar} peer=${c.peer} />
              <span class="grow">
                <span class="row between">
                  <strong class="conv-name">${displayName(c.peer)}</strong>
                  <span class="muted small">${formatTime(sortKey(c))}</span>
                </span>
                <span class="row between">
                  <span class="muted small conv-preview">${preview(c.last_message) || "暂无消息"}</span>
                  ${c.unread > 0 &&
                  html`<span class="badge" data-testid="unread" aria-label=${`${c.unread} 条未读`}>${c.unread}</span>`}
                </span>
              </span>
            <//>
          </li>`
        )}
      </ul>`}
    </main>
    <${Tabs} current="chat" />
  </div>`;
}

function peerError(e) {
  if (e && e.field === "peer_id" && e.code === "validation_failed") return "不能与自己聊天，或微聊号格式不正确。";
  if (e && e.field === "peer_id" && e.code === "not_found") return "没有找到这个微聊号。";
  return e;
}

export function NewChat() {
  const [id, setId] = useState("");
  const act = useAction(async () => {
    const m = id.trim().match(/(\d{5,20})\s*$/); // a 微聊号, or a shared /u/<id> link
    if (!m) throw Object.assign(new Error(), { code: "validation_failed", field: "peer_id" });
    const c = await startWith(m[1]);
    navigate(`/chat/${c.id}`, { replace: true });
  });
  return html`<div>
    <${TopBar} title="发起会话" back=${() => navigate("/")} />
    <main class="page">
      <form class="card" onSubmit=${(e) => (e.preventDefault(), act.run())}>
        <${Field} label="对方的微聊号或分享链接" value=${id} onInput=${(e) => setId(e.currentTarget.value)}
          hint="微聊号在对方「我的」页面中。" name="peer" />
        <${ErrorNotice} error=${peerError(act.error)} />
        <${Button} type="submit" busy=${act.busy}>开始聊天<//>
      </form>
    </main>
  </div>`;
}

export function OpenWith({ peerId }) {
  const [error, setError] = useState(null);
  useEffect(() => {
    startWith(peerId).then((c) => navigate(`/chat/${c.id}`, { replace: true }), setError);
  }, [peerId]);
  return html`<main class="page">
    ${error ? html`<${ErrorNotice} error=${peerError(error)} />` : html`<p class="muted">正在打开会话…</p>`}
  </main>`;
}
