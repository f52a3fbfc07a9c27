// accounts.js - staff accounts (admin): who has which role, adding a
// member with an initial password, disabling one (their sessions end).
import { html, useEffect, useState } from "../lib/html.js";
import { api } from "../lib/api.js";
import { Button, ErrorNotice, Field, formatDateTime, useAction } from "../lib/ui.js";
import { ROLE_ZH } from "./roles.js";

export function Accounts({ me }) {
  const [items, setItems] = useState(null);
  const [f, setF] = useState({ name: "", role: "support", password: "" });
  const load = () => api("GET", "/v1/admin/staff").then((j) => setItems(j.items), act.setError);
  const act = useAction(async (what, name) => {
    if (what === "add") {
      await api("POST", "/v1/admin/staff", { name: f.name.trim(), role: f.role, password: f.password });
      setF({ name: "", role: "support", password: "" });
    } else {
      await api("POST", `/v1/admin/staff/${encodeURIComponent(name)}/disable`);
    }
    await load();
  });
  useEffect(() => {
    load();
  }, []);
  const fieldError = (k) => (act.error && act.error.field === k ? act.error : null);
  return html`<section aria-labelledby="acc-h">
    <h1 id="acc-h">员工账号</h1>
    <${ErrorNotice} error=${act.error && !act.error.field ? act.error : null} />
    ${items && html`<table data-testid="staff-list">
      <thead><tr><th scope="col">用户名</th><th scope="col">角色</th><th scope="col">创建时间</th><th scope="col">状态</th><th scope="col"><span class="visually-hidden">操作</span></th></tr></thead>
      <tbody>${items.map((s) => html`<tr key=${s.id} data-staff=${s.name}>
        <td>${s.name}</td><td>${ROLE_ZH[s.role] || s.role}</td><td>${formatDateTime(s.created_at)}</td>
        <td>${s.disabled_at ? `已停用 ${formatDateTime(s.disabled_at)}` : "启用"}</td>
        <td>${!s.disabled_at && s.name !== me.name &&
          html`<${Button} kind="danger secondary small" onClick=${() => act.run("disable", s.name)} aria-label=${`停用 ${s.name}`}>停用<//>`}</td>
      </tr>`)}</tbody>
    </table>`}
    <form class="card" onSubmit=${(e) => (e.preventDefault(), act.run("add"))}>
      <h2>添加员工</h2>
      <${Field} label="用户名（小写字母、数字、. - _）" value=${f.name} name="new-name" error=${fieldError("name") && "用户名不合规或已被使用。"}
        onInput=${(e) => setF({ ...f, name: e.currentTarget.value })} />
      <${Field} as="select" label="角色" value=${f.role} onChange=${(e) => setF({ ...f, role: e.currentTarget.value })}>
        ${Object.entries(ROLE_ZH).map(([k, v]) => html`<option value=${k}>${v}</option>`)}<//>
      <${Field} label="初始密码（至少 12 位）" type="password" autocomplete="new-password" value=${f.password} name="new-password"
        error=${fieldError("password") && "密码至少 12 位。"} onInput=${(e) => setF({ ...f, password: e.currentTarget.value })} />
      <${Button} type="submit" busy=${act.busy} data-testid="staff-add">添加<//>
    </form>
  </section>`;
}
