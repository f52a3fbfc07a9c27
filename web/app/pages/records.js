// records.js - what was done with my data: staff accesses with their
// reasons (from the audit trail), and the notices of my stream (security
// incidents, new-device sign-ins, answered requests).
import { html, useEffect, useState } from "../../lib/html.js";
import { api } from "../../lib/api.js";
import { useStore } from "../../lib/store.js";
import { ErrorNotice, TopBar, formatDateTime } from "../../lib/ui.js";
import { session } from "../session.js";

const ACTIONS = {
  "personal_data.read": "查看了您的个人信息",
  "request.read": "查看了您的请求",
  "request.answer": "答复了您的请求",
  "personal_data.erase": "删除了您的信息",
  "export.read": "批量导出了您的信息",
};

function labels(policy, ids) {
  return (ids || []).map((id) => {
    const c = policy && policy.datamap.find((x) => x.id === id);
    return c ? c.label_zh : id;
  }).join("、");
}

export function AccessLog({ back }) {
  const { policy } = useStore(session);
  const [items, setItems] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    api("GET", "/v1/me/access-log").then((j) => setItems(j.items), setError);
  }, []);
  return html`<div>
    <${TopBar} title="谁查看了我的信息" back=${back} />
    <main class="page">
      <p class="muted small">工作人员默认只能看到打码后的信息；查看明文必须说明理由，每一次都会记录在这里。</p>
      <${ErrorNotice} error=${error} />
      ${items && items.length === 0 && html`<p class="card center" data-testid="access-empty">暂无工作人员查看记录。</p>`}
      ${items && items.length > 0 &&
      html`<ul class="list card" data-testid="access-log">
        ${items.map((a, i) => html`<li key=${i} class="access-item">
          <p><strong>${formatDateTime(a.at)}</strong> · 工作人员 ${a.staff}${a.role ? `（${a.role}）` : ""}
            ${ACTIONS[a.action] || a.action}</p>
          ${a.categories && a.categories.length > 0 && html`<p class="small">信息类别：${labels(policy, a.categories)}</p>`}
          ${a.reason && html`<p class="small">理由：<span data-testid="access-reason">${a.reason}</span></p>`}
        </li>`)}
      </ul>`}
    </main>
  </div>`;
}

const NOTICE_TYPES = ["incident.notice", "security.new_device", "request.answered"];

function NoticeItem({ ev, policy }) {
  const d = ev.data || {};
  if (ev.type === "incident.notice")
    return html`<div class="notice warn" data-testid="incident">
      <p><strong>个人信息安全事件告知</strong> · ${formatDateTime(d.published_at || ev.at)}</p>
      <p>涉及的信息：${labels(policy, d.categories)}</p>
      <p>原因：${d.cause}</p><p>可能的影响：${d.harm}</p><p>我们已采取的措施：${d.remedies}</p>
      <p>建议您：${d.actions}</p><p>联系方式：${d.contact}</p>
    </div>`;
  if (ev.type === "security.new_device")
    return html`<p><strong>新设备登录提醒</strong> · ${formatDateTime(ev.at)}：您的账号在一台新设备上登录。如非本人操作，请在「我的设备」中移除。</p>`;
  return html`<p><strong>您的请求已有答复</strong> · ${formatDateTime(ev.at)}：状态 ${d.status === "refused" ? "已拒绝" : "已完成"}，详见「投诉与请求」。</p>`;
}

export function Notices({ back }) {
  const { policy } = useStore(session);
  const [items, setItems] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    (async () => {
      const out = [];
      let cursor = 0;
      for (let page = 0; page < 50; page++) {
        let j;
        try {
          j = await api("GET", `/v1/sync?cursor=${cursor}&limit=500`);
        } catch (e) {
          if (e.code !== "cursor_expired" || e.oldestCursor === null) throw e;
          cursor = e.oldestCursor; // older events were pruned: read what is kept
          continue;
        }
        out.push(...j.events.filter((e) => NOTICE_TYPES.includes(e.type)));
        cursor = j.next_cursor;
        if (!j.has_more) break;
      }
      setItems(out.reverse());
    })().catch(setError);
  }, []);
  return html`<div>
    <${TopBar} title="通知" back=${back} />
    <main class="page">
      <${ErrorNotice} error=${error} />
      ${items && items.length === 0 && html`<p class="card center">暂无通知。</p>`}
      ${items && items.length > 0 && html`<ul class="list card" data-testid="notices">
        ${items.map((ev) => html`<li key=${ev.seq} class="notice-item"><${NoticeItem} ev=${ev} policy=${policy} /></li>`)}
      </ul>`}
    </main>
  </div>`;
}
