// me.js - 我的: the account, its profile (nickname, role, push preview),
// devices and their removal, every optional consent with what it is for
// (F14), and links to the records and rights pages.
import { html, useEffect, useRef, useState } from "../../lib/html.js";
import { api, upload } from "../../lib/api.js";
import { useStore } from "../../lib/store.js";
import { Link, navigate } from "../../lib/router.js";
import { Button, ErrorNotice, Field, Notice, TopBar, formatDateTime, useAction } from "../../lib/ui.js";
import { CategoryList, recipientsOf } from "../../lib/policy.js";
import { refreshMe, session, signOut } from "../session.js";
import { Avatar, Tabs, displayName } from "./tabs.js";
import { AccessLog, Notices } from "./records.js";
import { Cancel, Export, Requests, Rights, Withdraw } from "./rights.js";
import { Bindings, Buyers, Verify } from "./consultant.js";

const back = () => navigate("/me");

export function MePages({ me, path }) {
  switch (path.replace(/\/$/, "")) {
    case "/me/profile":
      return html`<${Profile} me=${me} />`;
    case "/me/devices":
      return html`<${Devices} />`;
    case "/me/permissions":
      return html`<${Permissions} />`;
    case "/me/access-log":
      return html`<${AccessLog} back=${back} />`;
    case "/me/notices":
      return html`<${Notices} back=${back} />`;
    case "/me/rights":
      return html`<${Rights} back=${back} />`;
    case "/me/export":
      return html`<${Export} back=${() => navigate("/me/rights")} />`;
    case "/me/withdraw":
      return html`<${Withdraw} back=${() => navigate("/me/rights")} />`;
    case "/me/cancel":
      return html`<${Cancel} me=${me} back=${() => navigate("/me/rights")} />`;
    case "/me/verify":
      return html`<${Verify} back=${back} />`;
    case "/me/bindings":
      return html`<${Bindings} back=${back} />`;
    case "/me/buyers":
      return html`<${Buyers} back=${back} />`;
    case "/me/requests":
      return html`<${Requests} back=${() => navigate("/me/rights")} />`;
    default:
      return html`<${Overview} me=${me} />`;
  }
}

function PolicyNotice({ me }) {
  const n = me.policy_notice;
  if (!n || n.material) return null;
  return html`<${Notice} kind="warn" role="status">
    <span data-testid="policy-notice">隐私政策已于 ${formatDateTime(n.published_at)} 更新${n.note ? `：${n.note}` : ""}。</span>
    <${Link} href="/policy">查看<//>
  <//>`;
}

function Overview({ me }) {
  const share = `${location.origin}/u/${me.id}`;
  const [copied, setCopied] = useState(false);
  const copy = () => navigator.clipboard && navigator.clipboard.writeText(share).then(() => setCopied(true), () => {});
  const items = [
    ["/me/profile", "个人资料", "昵称、身份、推送预览"],
    ["/me/verify", "实名认证", "人脸照片或银行卡核验身份"],
    ["/me/bindings", "我的楼盘", "申请绑定楼盘，查看审核结果"],
    ["/me/buyers", "我的客户", "归属于我的客户与保护期"],
    ["/me/devices", "我的设备", "登录过的设备，可移除"],
    ["/me/permissions", "权限与同意", "位置等单独同意的开关"],
    ["/me/access-log", "谁查看了我的信息", "工作人员的查看记录与理由"],
    ["/me/notices", "通知", "安全提醒与事件通知"],
    ["/me/rights", "隐私与权利", "导出、更正、撤回同意、注销账号、投诉"],
    ["/policy", "隐私政策", "当前版本与历史版本"],
  ];
  return html`<div class="with-tabs">
    <${TopBar} title="我的" />
    <main class="page">
      <${PolicyNotice} me=${me} />
      <section class="card row" aria-label="账号">
        <${Avatar} peer=${me} />
        <div class="grow">
          <strong data-testid="me-name">${displayName(me)}</strong>
          <div class="muted small">${me.phone_masked} · ${me.role === "agent" ? "置业顾问" : "购房者"}</div>
          <div class="muted small">微聊号 <span data-testid="me-id">${me.id}</span></div>
        </div>
      </section>
      <section class="card" aria-label="分享">
        <p class="small">把链接发给对方即可开始微聊：</p>
        <div class="row"><code class="grow share">${share}</code>
          <${Button} kind="secondary small" onClick=${copy}>${copied ? "已复制" : "复制"}<//></div>
      </section>
      <nav class="card" aria-label="我的">
        <ul class="list">
          ${items.map(([href, label, hint]) => html`<li key=${href}>
            <${Link} class="list-item" href=${href}>
              <span class="grow"><strong>${label}</strong><br /><span class="muted small">${hint}</span></span>
              <span aria-hidden="true">›</span>
            <//>
          </li>`)}
        </ul>
      </nav>
      <${Button} kind="secondary block" onClick=${signOut} data-testid="logout">退出登录<//>
    </main>
    <${Tabs} current="me" />
  </div>`;
}

/** 头像: an image uploaded like a chat picture, then set on the profile. */
function AvatarEdit({ me }) {
  const [progress, setProgress] = useState(null);
  const fileRef = useRef(null);
  const act = useAction(async (file) => {
    let id = null;
    if (file) {
      setProgress(0);
      id = (await upload(file, setProgress)).id;
    }
    await api("PATCH", "/v1/me", { avatar_media_id: id });
    await refreshMe();
    setProgress(null);
  });
  return html`<section class="card row" aria-label="头像">
    <${Avatar} peer=${me} />
    <div class="grow">
      <${Button} kind="secondary small" onClick=${() => fileRef.current.click()}>更换头像<//>
      <input ref=${fileRef} type="file" accept="image/jpeg,image/png,image/webp" class="visually-hidden"
        tabindex="-1" aria-label="选择头像图片" data-testid="avatar-file" onChange=${(e) => {
          const f = e.currentTarget.files[0];
          e.currentTarget.value = "";
          if (f) act.run(f);
        }} />
      ${me.avatar_media_id && html` <${Button} kind="link small" onClick=${() => act.run(null)} data-testid="avatar-remove">移除<//>`}
      ${progress !== null && !act.error && html`<progress max="1" value=${progress} aria-label="上传头像"></progress>`}
      <p class="muted small">头像只给与您聊天的人看；照片中的位置信息会在上传时去除。</p>
      <${ErrorNotice} error=${act.error} />
    </div>
  </section>`;
}

function Profile({ me }) {
  const [nickname, setNickname] = useState(me.nickname || "");
  const [role, setRole] = useState(me.role);
  const [preview, setPreview] = useState(me.push_preview);
  const [saved, setSaved] = useState(false);
  const act = useAction(async () => {
    const body = {};
    if (nickname.trim() && nickname.trim() !== me.nickname) body.nickname = nickname.trim();
    if (role !== me.role) body.role = role;
    if (preview !== me.push_preview) body.push_preview = preview;
    if (Object.keys(body).length) await api("PATCH", "/v1/me", body);
    await refreshMe();
    setSaved(true);
  });
  const nickError = act.error && act.error.field === "nickname" ? "昵称为 1–32 个字符，不能包含控制字符。" : null;
  return html`<div>
    <${TopBar} title="个人资料" back=${back} />
    <main class="page">
      <${AvatarEdit} me=${me} />
      <form class="card" onSubmit=${(e) => (e.preventDefault(), setSaved(false), act.run())}>
        <${Field} label="昵称" value=${nickname} maxlength="32" onInput=${(e) => setNickname(e.currentTarget.value)}
          error=${nickError} hint="更正会记录在审计记录中（只记录改了哪一项，不记录内容）。" name="nickname" />
        <${Field} as="select" label="我是" value=${role} onChange=${(e) => setRole(e.currentTarget.value)}>
          <option value="customer">购房者</option>
          <option value="agent">置业顾问</option>
        <//>
        <label class="switch">
          <input type="checkbox" checked=${preview} onChange=${(e) => setPreview(e.currentTarget.checked)} />
          <span><strong>推送中显示消息内容</strong><br />
            <span class="muted small">关闭时，推送只提示有新消息，不含内容（默认关闭）。</span></span>
        </label>
        <${ErrorNotice} error=${nickError ? null : act.error} />
        ${saved && !act.error && html`<p class="notice ok" role="status">已保存。</p>`}
        <div class="row end"><${Button} type="submit" busy=${act.busy} data-testid="save-profile">保存<//></div>
      </form>
      <p class="muted small">手机号 ${me.phone_masked} 用于登录，如需更换请联系客服。</p>
    </main>
  </div>`;
}

function Devices() {
  const [items, setItems] = useState(null);
  const act = useAction(async (id) => {
    await api("DELETE", `/v1/me/devices/${id}`);
    load();
  });
  const load = () => api("GET", "/v1/me/devices").then((j) => setItems(j.items), act.setError);
  useEffect(load, []);
  return html`<div>
    <${TopBar} title="我的设备" back=${back} />
    <main class="page">
      <${ErrorNotice} error=${act.error} />
      <ul class="list card" aria-label="设备">
        ${(items || []).map((d) => html`<li key=${d.id} class="row device" data-device=${d.id}>
          <div class="grow list-item">
            <span><strong>${d.name || "未命名设备"}</strong> ${d.current && html`<span class="tag ok">本机</span>`}<br />
            <span class="muted small">${d.platform || ""} 首次登录 ${formatDateTime(d.created_at)} · 最近使用 ${formatDateTime(d.last_seen_at)}</span></span>
          </div>
          ${!d.current && html`<${Button} kind="danger secondary small" busy=${act.busy}
            onClick=${() => act.run(d.id)} aria-label=${`移除 ${d.name || "设备"}`}>移除<//>`}
        </li>`)}
      </ul>
      <p class="muted small">移除设备后，该设备上的登录立即失效。</p>
    </main>
  </div>`;
}

function Permissions() {
  const { policy } = useStore(session);
  const [state, setState] = useState(null);
  const act = useAction(async (scope, on) => {
    if (on) await api("PUT", `/v1/me/consents/${scope}`, { version: policy.version });
    else await api("DELETE", `/v1/me/consents/${scope}`);
    await load();
  });
  const load = () =>
    api("GET", "/v1/me/consents").then((j) => {
      const s = {};
      for (const c of j.items) s[c.scope] = c;
      setState(s);
    }, act.setError);
  useEffect(() => {
    load();
  }, []);
  const scopes = policy.scopes.filter((s) => s.optional);
  return html`<div>
    <${TopBar} title="权限与同意" back=${back} />
    <main class="page">
      <p class="muted small">以下每一项都需要您单独同意，拒绝或关闭只停止对应的功能，其他功能照常使用。关闭后立即停止收集。</p>
      <${ErrorNotice} error=${act.error} />
      ${state && scopes.map((s) => {
        const c = state[s.id];
        const on = !!(c && c.granted_at && !c.withdrawn_at);
        const cats = policy.datamap.filter((x) => x.consent === s.id);
        const rec = recipientsOf(policy, cats.map((x) => x.id));
        return html`<section class="card" key=${s.id} data-scope=${s.id}>
          <label class="switch">
            <input type="checkbox" checked=${on} disabled=${act.busy}
              onChange=${(e) => act.run(s.id, e.currentTarget.checked)} data-testid=${`scope-${s.id}`} />
            <span><strong>${s.label_zh}</strong> <span class=${`tag ${on ? "ok" : ""}`}>${on ? "已开启" : "未开启"}</span></span>
          </label>
          ${cats.length > 0 && html`<${CategoryList} items=${cats} />`}
          ${rec.length > 0 && html`<p class="small muted">接收方：${rec.map((r) => `${r.name_zh}（${r.purpose}）`).join("；")}</p>`}
          ${c && c.granted_at && html`<p class="small muted">同意于 ${formatDateTime(c.granted_at)}${c.withdrawn_at ? `，撤回于 ${formatDateTime(c.withdrawn_at)}` : ""}</p>`}
        </section>`;
      })}
      <section class="card">
        <h2>隐私政策</h2>
        <p class="small">您已同意的版本：${(state && state.policy && state.policy.version) || "—"}。
          撤回对整个隐私政策的同意请前往 <${Link} href="/me/rights">隐私与权利<//>。</p>
      </section>
    </main>
  </div>`;
}
