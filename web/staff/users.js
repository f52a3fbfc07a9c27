// users.js - finding an account (by phone, with a reason that the person
// will see; or by its id from a request), its masked view, and 查看明文:
// the categories the role may reveal, each reveal with a stated reason,
// audited and shown in the person's access log.
import { html, useState } from "../lib/html.js";
import { api } from "../lib/api.js";
import { Button, ErrorNotice, Field, formatDateTime, useAction } from "../lib/ui.js";

const CAT_ZH = { phone: "手机号码", nickname: "昵称" };

function Reveal({ me, user }) {
  const [cats, setCats] = useState([]);
  const [reason, setReason] = useState("");
  const [clear, setClear] = useState(null);
  const act = useAction(async () => setClear(await api("POST", `/v1/admin/users/${user.id}/reveal`, { categories: cats, reason: reason.trim() })));
  if (me.may_reveal.length === 0) return null;
  const toggle = (c) => setCats(cats.includes(c) ? cats.filter((x) => x !== c) : cats.concat(c));
  const reasonError = act.error && act.error.field === "reason" ? "请说明查看理由（5–500 字）。" : null;
  return html`<form class="card" onSubmit=${(e) => (e.preventDefault(), act.run())} aria-labelledby="reveal-h">
    <h2 id="reveal-h">查看明文</h2>
    <fieldset class="plain"><legend>要查看的信息</legend>
      ${me.may_reveal.map((c) => html`<label class="switch" key=${c}>
        <input type="checkbox" checked=${cats.includes(c)} onChange=${() => toggle(c)} data-testid=${`reveal-${c}`} />
        <span>${CAT_ZH[c] || c}</span></label>`)}
    </fieldset>
    <${Field} as="textarea" label="查看理由" value=${reason} maxlength="500" onInput=${(e) => setReason(e.currentTarget.value)}
      error=${reasonError} hint="理由会记入审计记录，用户在「谁查看了我的信息」中可以看到。" name="reason" />
    <${ErrorNotice} error=${reasonError ? null : act.error} />
    <${Button} type="submit" busy=${act.busy} disabled=${cats.length === 0} data-testid="reveal">查看<//>
    ${clear && html`<dl class="clear" data-testid="revealed">
      ${Object.entries(clear).filter(([k]) => k !== "id").map(([k, v]) => html`<dt>${CAT_ZH[k] || k}</dt><dd>${v === null ? "（未填写）" : v}</dd>`)}
    </dl>`}
  </form>`;
}

export function Users({ me }) {
  const [phone, setPhone] = useState("");
  const [reason, setReason] = useState("");
  const [id, setId] = useState("");
  const [user, setUser] = useState(null);
  const byPhone = useAction(async () => setUser(await api("POST", "/v1/admin/users/lookup", { phone: phone.trim(), reason: reason.trim() })));
  const byId = useAction(async () => setUser(await api("GET", `/v1/admin/users/${encodeURIComponent(id.trim())}`)));
  return html`<section aria-labelledby="users-h">
    <h1 id="users-h">用户查询</h1>
    <div class="grid2">
      <form class="card" onSubmit=${(e) => (e.preventDefault(), setUser(null), byPhone.run())}>
        <h2>按手机号</h2>
        <${Field} label="手机号" type="tel" value=${phone} onInput=${(e) => setPhone(e.currentTarget.value)} name="lookup-phone" />
        <${Field} label="查询理由" value=${reason} onInput=${(e) => setReason(e.currentTarget.value)} name="lookup-reason"
          hint="按手机号查询会记入审计记录并告知用户。" />
        <${ErrorNotice} error=${byPhone.error} />
        <${Button} type="submit" busy=${byPhone.busy} data-testid="lookup">查询<//>
      </form>
      <form class="card" onSubmit=${(e) => (e.preventDefault(), setUser(null), byId.run())}>
        <h2>按用户 ID</h2>
        <${Field} label="用户 ID" value=${id} onInput=${(e) => setId(e.currentTarget.value)} name="lookup-id"
          hint="例如请求详情中的用户 ID；只显示打码信息。" />
        <${ErrorNotice} error=${byId.error} />
        <${Button} type="submit" busy=${byId.busy} data-testid="lookup-id">打开<//>
      </form>
    </div>
    ${user && html`<div class="card" data-testid="user-masked" data-user=${user.id}>
      <h2>用户 ${user.id}</h2>
      <dl class="clear">
        <dt>手机号码</dt><dd>${user.phone || "—"}</dd>
        <dt>昵称</dt><dd>${user.nickname || "—"}</dd>
        <dt>身份</dt><dd>${user.role === "agent" ? "置业顾问" : "购房者"}</dd>
        <dt>注册时间</dt><dd>${formatDateTime(user.created_at)}</dd>
      </dl>
      <p class="muted small">以上为打码信息。</p>
    </div>
    <${Reveal} me=${me} user=${user} key=${user.id} />`}
  </section>`;
}
