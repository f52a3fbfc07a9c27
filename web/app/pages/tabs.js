// tabs.js - the bottom tab bar of the signed-in app.
import { html } from "../../lib/html.js";
import { Link } from "../../lib/router.js";
import { useStore } from "../../lib/store.js";
import { chat } from "../chat.js";

export function Tabs({ current }) {
  const unread = useStore(chat, (s) => Object.values(s.convs).reduce((n, c) => n + (c.unread || 0), 0));
  return html`<nav class="tabs" aria-label="主菜单">
    <${Link} href="/" aria-current=${current === "chat" ? "page" : undefined}>
      微聊${unread > 0 && html` <span class="badge" aria-label=${`${unread} 条未读`}>${unread}</span>`}
    <//>
    <${Link} href="/homes" aria-current=${current === "homes" ? "page" : undefined}>找房<//>
    <${Link} href="/me" aria-current=${current === "me" ? "page" : undefined}>我的<//>
  </nav>`;
}

/** A person's display name: nickname, else a neutral label. */
export function displayName(peer) {
  if (!peer) return "";
  if (peer.cancelled) return "已注销用户";
  return peer.nickname || `用户${String(peer.id || "").slice(-4)}`;
}

/** The profile picture, or the first character of the name. */
export function Avatar({ peer }) {
  const name = displayName(peer);
  const pic = peer && peer.avatar_media_id;
  return html`<span class="avatar" aria-hidden="true">${pic
    ? html`<img src=${`/v1/media/${pic}`} alt="" />`
    : name.slice(0, 1)}</span>`;
}
