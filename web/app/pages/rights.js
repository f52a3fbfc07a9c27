// rights.js - your rights (七), each confirmed with a code sent to the
// account's own phone: export (a file download), withdrawal of the whole
// policy (the account then sees only the way back), cancellation (the
// erasure report is shown afterwards), and requests and complaints with
// their 15-day deadline. Correction is the profile page.
import { html, useEffect, useState } from "../../lib/html.js";
import { api } from "../../lib/api.js";
import { Link } from "../../lib/router.js";
import { Button, ErrorNotice, Field, TopBar, download, formatDateTime, useAction } from "../../lib/ui.js";
import { refreshMe, session, signedOut } from "../session.js";

export function Rights({ back }) {
  const items = [
    ["/me/export", "导出我的信息", "下载我们持有的关于您的全部信息（JSON 文件）"],
    ["/me/profile", "更正我的信息", "修改昵称等资料"],
    ["/me/permissions", "撤回单项同意", "例如位置信息"],
    ["/me/withdraw", "撤回对隐私政策的同意", "撤回后将停止提供服务，可随时恢复"],
    ["/me/cancel", "注销账号", "删除账号及其个人信息，不可恢复"],
    ["/me/requests", "投诉与请求", "15 天内答复"],
  ];
  return html`<div>
    <${TopBar} title="隐私与权利" back=${back} />
    <main class="page">
      <nav class="card" aria-label="隐私与权利">
        <ul class="list">
          ${items.map(([href, label, hint]) => html`<li key=${href}><${Link} class="list-item" href=${href}>
            <span class="grow"><strong>${label}</strong><br /><span class="muted small">${hint}</span></span>
            <span aria-hidden="true">›</span><//></li>`)}
        </ul>
      </nav>
    </main>
  </div>`;
}

/** The identity check: a code to the account's own phone, then the action
 * with it. onCode(code) runs the action; errors stay on this form. */
function StepUp({ label, kind = "", onCode, children }) {
  const [code, setCode] = useState("");
  const [sent, setSent] = useState(false);
  const send = useAction(async () => {
    await api("POST", "/v1/me/sms-code");
    setSent(true);
  });
  const act = useAction(() => onCode(code.trim()));
  return html`<form class="card" onSubmit=${(e) => (e.preventDefault(), act.run())}>
    ${children}
    <p class="small">为确认是您本人操作，我们会向本账号的手机号发送验证码。</p>
    <div class="row">
      <div class="grow"><${Field} label="验证码" inputmode="numeric" autocomplete="one-time-code" maxlength="6"
        value=${code} onInput=${(e) => setCode(e.currentTarget.value)} name="stepup" /></div>
      <${Button} kind="secondary" onClick=${() => send.run()} busy=${send.busy} data-testid="stepup-send">
        ${sent ? "重新发送" : "发送验证码"}<//>
    </div>
    ${sent && !send.error && html`<p class="muted small" role="status" data-testid="stepup-sent">验证码已发送。</p>`}
    <${ErrorNotice} error=${send.error || act.error} />
    <div class="row end"><${Button} type="submit" kind=${kind} busy=${act.busy} data-testid="stepup-confirm">${label}<//></div>
  </form>`;
}

export function Export({ back }) {
  const [done, setDone] = useState(null);
  const run = async (code) => {
    const data = await api("POST", "/v1/me/export", { code });
    const text = JSON.stringify(data, null, 2);
    download(`weiliaoke-export-${new Date().toISOString().slice(0, 10)}.json`, text);
    setDone({ categories: Object.values(data.categories).filter((c) => c.collected).length, bytes: text.length });
  };
  return html`<div>
    <${TopBar} title="导出我的信息" back=${back} />
    <main class="page">
      ${done
        ? html`<div class="notice ok" role="status" data-testid="export-done">
            已导出 ${done.categories} 类信息（${Math.ceil(done.bytes / 1024)} KB），文件已开始下载。</div>`
        : html`<${StepUp} label="导出" onCode=${run}>
            <p>导出文件包含我们持有的关于您的全部个人信息，按数据清单的每一类列出，以及工作人员查看您信息的记录。</p>
          <//>`}
    </main>
  </div>`;
}

export function Withdraw({ back }) {
  const run = async (code) => {
    await api("DELETE", "/v1/me/consents/policy", { code });
    await refreshMe(); // the account now sees only the way back
  };
  return html`<div>
    <${TopBar} title="撤回对隐私政策的同意" back=${back} />
    <main class="page">
      <${StepUp} label="确认撤回" kind="danger" onCode=${run}>
        <p>撤回后，我们将不再为您提供微聊等服务，也不再处理您的相关个人信息；已经处理的信息不受影响，法律要求保存的记录会继续保存。</p>
        <p>您之后可以随时重新同意，恢复使用。</p>
      <//>
    </main>
  </div>`;
}

/** After cancellation: what was erased, kept or anonymised, per store of
 * the data map (the session is gone; 完成 returns to the start). */
export function ErasureReport({ report }) {
  return html`<div>
    <${TopBar} title="账号已注销" />
    <main class="page">
      <section class="card" data-testid="erasure-report">
        <h1>账号已注销</h1>
        <p>注销时间 ${formatDateTime(report.cancelled_at)}。${report.data_key_destroyed
          ? "您的数据密钥已销毁，任何备份中的加密信息都无法再被读取。" : ""}</p>
        <table>
          <caption class="visually-hidden">删除报告</caption>
          <thead><tr><th scope="col">信息</th><th scope="col">处理</th><th scope="col">条数</th></tr></thead>
          <tbody>
            ${report.stores.map((s, i) => html`<tr key=${i}>
              <td>${s.label_zh}</td>
              <td>${{ delete: "已删除", anonymise: "已匿名化", restrict: "限制处理（依法保存）" }[s.action] || s.action}
                ${s.why && html`<br /><span class="muted small">${s.why}</span>`}</td>
              <td>${s.deleted + s.anonymised + s.kept}</td>
            </tr>`)}
          </tbody>
        </table>
        <div class="row end"><${Button} onClick=${() => signedOut()} data-testid="cancel-done">完成<//></div>
      </section>
    </main>
  </div>`;
}

export function Cancel({ me, back }) {
  const run = async (code) => {
    const report = await api("POST", "/v1/me/cancel", { code });
    session.set({ phase: "cancelled", report, me: null });
  };
  return html`<div>
    <${TopBar} title="注销账号" back=${back} />
    <main class="page">
      <${StepUp} label="确认注销" kind="danger" onCode=${run}>
        <p><strong>注销后账号 ${me.phone_masked} 无法恢复。</strong>我们会删除或匿名化您的个人信息并销毁您的数据密钥；
          与您聊天的人仍保留对话，但您会显示为「已注销用户」；同意与披露记录依法限制保存 3 年。</p>
        <p>注销前您可以先 <${Link} href="/me/export">导出您的信息<//>。</p>
      <//>
    </main>
  </div>`;
}

const TYPES = { access: "查阅", correction: "更正", deletion: "删除", complaint: "投诉", other: "其他" };
const STATUS = { open: "处理中", done: "已完成", refused: "已拒绝" };

export function Requests({ back }) {
  const [items, setItems] = useState(null);
  const [type, setType] = useState("complaint");
  const [text, setText] = useState("");
  const load = () => api("GET", "/v1/me/requests").then((j) => setItems(j.items), act.setError);
  const act = useAction(async () => {
    await api("POST", "/v1/me/requests", { type, text: text.trim() });
    setText("");
    await load();
  });
  useEffect(() => {
    load();
  }, []);
  return html`<div>
    <${TopBar} title="投诉与请求" back=${back} />
    <main class="page">
      <form class="card" onSubmit=${(e) => (e.preventDefault(), act.run())}>
        <${Field} as="select" label="类型" value=${type} onChange=${(e) => setType(e.currentTarget.value)}>
          ${Object.entries(TYPES).map(([k, v]) => html`<option value=${k}>${v}</option>`)}
        <//>
        <${Field} as="textarea" label="内容" value=${text} maxlength="2000" onInput=${(e) => setText(e.currentTarget.value)} />
        <${ErrorNotice} error=${act.error} />
        <div class="row end"><${Button} type="submit" busy=${act.busy} disabled=${!text.trim()}>提交<//></div>
        <p class="muted small">我们会在 15 天内答复。</p>
      </form>
      ${items && items.length > 0 && html`<ul class="list card" data-testid="requests">
        ${items.map((r) => html`<li key=${r.id} class="request-item">
          <p><strong>${TYPES[r.type]}</strong> · ${STATUS[r.status]} · 提交于 ${formatDateTime(r.created_at)} · 答复期限 ${formatDateTime(r.due_at)}</p>
          ${r.text && html`<p class="small">${r.text}</p>`}
          ${r.answer && html`<p class="small">答复：${r.answer}</p>`}
          ${r.reason && html`<p class="small">拒绝理由：${r.reason}</p>`}
          ${r.complain_to && html`<p class="small">如不满意，可向 <a href=${r.complain_to.url} rel="noreferrer noopener" target="_blank">${r.complain_to.name}</a> 投诉。</p>`}
        </li>`)}
      </ul>`}
    </main>
  </div>`;
}
