// main.js - the staff console (/staff/): password sign-in (the session in
// an HttpOnly cookie scoped to /v1/admin), a menu with only what the role
// may do (the server checks every call anyway), and the pages.
import { html, render, useState } from "../lib/html.js";
import { api, onApiError } from "../lib/api.js";
import { loadErrors } from "../lib/errors.js";
import { createStore, useStore } from "../lib/store.js";
import { Link, match, navigate, usePath } from "../lib/router.js";
import { Button, ErrorNotice, Field, useAction } from "../lib/ui.js";
import { RequestDetail, Requests } from "./requests.js";
import { Users } from "./users.js";
import { Audit } from "./audit.js";
import { Exports } from "./exports.js";
import { PolicyVersions } from "./policy.js";
import { Incidents } from "./incidents.js";
import { Accounts } from "./accounts.js";
import { BindingQueue } from "./bindings.js";
import { Developments } from "./developments.js";
import { Moderation } from "./moderation.js";
import { ROLE_ZH } from "./roles.js";

const HINT = "wlk.staff";
export const console_ = createStore({ phase: "boot", me: null, flash: null });

// every page: [path, label, roles]
const PAGES = [
  ["/staff/requests", "请求与投诉", ["admin", "support"]],
  ["/staff/users", "用户查询", ["admin", "support", "reviewer"]],
  ["/staff/exports", "批量导出", ["admin", "support"]],
  ["/staff/audit", "审计记录", ["auditor"]],
  ["/staff/policy", "隐私政策版本", ["admin", "support", "reviewer", "auditor"]],
  ["/staff/incidents", "安全事件告知", ["admin"]],
  ["/staff/accounts", "员工账号", ["admin"]],
  ["/staff/bindings", "绑定楼盘审核", ["reviewer", "admin"]],
  ["/staff/developments", "楼盘库", ["admin", "reviewer"]],
  ["/staff/moderation", "内容审核", ["reviewer", "admin"]],
];

export function allowed(role) {
  return PAGES.filter((p) => p[2].includes(role));
}

async function boot() {
  if (!sessionStorage.getItem(HINT)) return console_.set({ phase: "login" });
  try {
    const me = await api("GET", "/v1/admin/me");
    if (location.pathname === "/staff" || location.pathname === "/staff/")
      navigate(allowed(me.role)[0][0], { replace: true });
    console_.set({ phase: "console", me });
  } catch (e) {
    sessionStorage.removeItem(HINT);
    console_.set({ phase: "login" });
  }
}

function signedOut(flash = null) {
  sessionStorage.removeItem(HINT);
  console_.set({ phase: "login", me: null, flash });
}

onApiError((e) => {
  if (e.status === 401 && console_.get().phase === "console") signedOut("登录已过期（30 分钟未操作），请重新登录。");
});

function Login({ flash }) {
  const [name, setName] = useState("");
  const [password, setPassword] = useState("");
  const act = useAction(async () => {
    await api("POST", "/v1/admin/login", { name: name.trim(), password, cookie: true });
    sessionStorage.setItem(HINT, "1");
    const me = await api("GET", "/v1/admin/me");
    console_.set({ phase: "console", me, flash: null });
    const first = allowed(me.role)[0];
    if (!location.pathname.startsWith("/staff/") || location.pathname === "/staff/") navigate(first[0], { replace: true });
  });
  return html`<main class="page narrow">
    <form class="card" onSubmit=${(e) => (e.preventDefault(), act.run())} aria-labelledby="staff-login-h">
      <h1 id="staff-login-h">微聊客 · 员工登录</h1>
      ${flash && html`<p class="notice warn" role="status">${flash}</p>`}
      <${Field} label="用户名" name="name" autocomplete="username" value=${name} onInput=${(e) => setName(e.currentTarget.value)} />
      <${Field} label="密码" name="password" type="password" autocomplete="current-password" value=${password}
        onInput=${(e) => setPassword(e.currentTarget.value)} />
      <${ErrorNotice} error=${act.error} />
      <${Button} type="submit" kind="block" busy=${act.busy} data-testid="staff-login">登录<//>
      <p class="muted small">员工只能看到打码后的信息；查看明文须说明理由，每一次都会记入审计记录，并告知用户本人。</p>
    </form>
  </main>`;
}

function Shell({ me, path }) {
  const pages = allowed(me.role);
  const logout = async () => {
    try {
      await api("POST", "/v1/admin/logout");
    } finally {
      signedOut();
    }
  };
  let page = html`<p class="muted">请选择左侧菜单。</p>`;
  let m;
  const can = (p) => pages.some((x) => path.startsWith(x[0]) && x[0] === p);
  if ((m = match("/staff/requests/:id", path)) && can("/staff/requests")) page = html`<${RequestDetail} id=${m.id} />`;
  else if (path.startsWith("/staff/requests") && can("/staff/requests")) page = html`<${Requests} />`;
  else if (path.startsWith("/staff/users") && can("/staff/users")) page = html`<${Users} me=${me} />`;
  else if (path.startsWith("/staff/exports") && can("/staff/exports")) page = html`<${Exports} me=${me} />`;
  else if (path.startsWith("/staff/audit") && can("/staff/audit")) page = html`<${Audit} />`;
  else if (path.startsWith("/staff/policy") && can("/staff/policy")) page = html`<${PolicyVersions} />`;
  else if (path.startsWith("/staff/incidents") && can("/staff/incidents")) page = html`<${Incidents} />`;
  else if (path.startsWith("/staff/accounts") && can("/staff/accounts")) page = html`<${Accounts} me=${me} />`;
  else if (path.startsWith("/staff/bindings") && can("/staff/bindings")) page = html`<${BindingQueue} me=${me} />`;
  else if (path.startsWith("/staff/developments") && can("/staff/developments")) page = html`<${Developments} me=${me} />`;
  else if (path.startsWith("/staff/moderation") && can("/staff/moderation")) page = html`<${Moderation} me=${me} />`;
  else if (path !== "/staff" && path !== "/staff/") page = html`<p class="notice warn" role="status">您的角色无权访问此页面。</p>`;
  return html`<div class="console">
    <header class="console-head">
      <strong>微聊客 · 员工后台</strong>
      <span class="grow"></span>
      <span class="small" data-testid="staff-me">${me.name} · ${ROLE_ZH[me.role]}</span>
      <${Button} kind="secondary small" onClick=${logout} data-testid="staff-logout">退出<//>
    </header>
    <div class="console-body">
      <nav class="console-nav" aria-label="员工菜单">
        <ul>
          ${pages.map(([href, label]) => html`<li key=${href}>
            <${Link} href=${href} aria-current=${path.startsWith(href) ? "page" : undefined}>${label}<//></li>`)}
        </ul>
      </nav>
      <main class="console-main">${page}</main>
    </div>
  </div>`;
}

function App() {
  const s = useStore(console_);
  const path = usePath();
  if (s.phase === "boot") return html`<p class="boot">正在加载…</p>`;
  if (s.phase === "login") return html`<${Login} flash=${s.flash} />`;
  return html`<${Shell} me=${s.me} path=${path} />`;
}

render(html`<${App} />`, document.getElementById("root"));
boot();
loadErrors();
