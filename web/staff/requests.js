// requests.js - the queue of users' requests and complaints, overdue
// first, then by deadline, with the days left; reading one is audited
// (the user sees it); answering or refusing with a reason.
import { html, useEffect, useState } from "../lib/html.js";
import { api } from "../lib/api.js";
import { Link } from "../lib/router.js";
import { Button, ErrorNotice, Field, formatDateTime, useAction } from "../lib/ui.js";

export const TYPE_ZH = { access: "查阅", correction: "更正", deletion: "删除", complaint: "投诉", other: "其他" };
const DAY = 86400000;

function daysLeft(r) {
  if (r.overdue) return html`<span class="tag danger">逾期 ${r.days_late} 天</span>`;
  const d = Math.ceil((r.due_at - Date.now()) / DAY);
  return html`<span class=${`tag ${d <= 3 ? "warn" : ""}`}>剩余 ${d} 天</span>`;
}

export function Requests() {
  const [items, setItems] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    api("GET", "/v1/admin/requests").then((j) => setItems(j.items), setError);
  }, []);
  return html`<section aria-labelledby="req-h">
    <h1 id="req-h">请求与投诉</h1>
    <p class="muted small">用户提交后 15 天内必须答复。列表只含类型与期限；打开一条会读取其内容，并记入审计记录、告知用户。</p>
    <${ErrorNotice} error=${error} />
    ${items && items.length === 0 && html`<p class="card">没有待处理的请求。</p>`}
    ${items && items.length > 0 && html`<table data-testid="request-queue">
      <thead><tr><th scope="col">类型</th><th scope="col">提交时间</th><th scope="col">答复期限</th><th scope="col">剩余</th><th scope="col"><span class="visually-hidden">操作</span></th></tr></thead>
      <tbody>${items.map((r) => html`<tr key=${r.id} data-request=${r.id}>
        <td>${TYPE_ZH[r.type] || r.type}</td><td>${formatDateTime(r.created_at)}</td>
        <td>${formatDateTime(r.due_at)}</td><td>${daysLeft(r)}</td>
        <td><${Link} href=${`/staff/requests/${r.id}`}>处理<//></td></tr>`)}</tbody>
    </table>`}
  </section>`;
}

export function RequestDetail({ id }) {
  const [r, setR] = useState(null);
  const [error, setError] = useState(null);
  const [status, setStatus] = useState("done");
  const [answer, setAnswer] = useState("");
  const [reason, setReason] = useState("");
  const load = () => api("GET", `/v1/admin/requests/${id}`).then(setR, setError);
  useEffect(() => {
    load();
  }, [id]);
  const act = useAction(async () => {
    const body = { status, answer: answer.trim() };
    if (status === "refused") body.reason = reason.trim();
    await api("POST", `/v1/admin/requests/${id}/answer`, body);
    await load();
  });
  const reasonError = act.error && act.error.field === "reason" ? "拒绝须说明理由（5–500 字）。" : null;
  return html`<section aria-labelledby="reqd-h">
    <p><${Link} href="/staff/requests">‹ 返回列表<//></p>
    <h1 id="reqd-h">请求详情</h1>
    <${ErrorNotice} error=${error} />
    ${r && html`<div class="card" data-testid="request-detail">
      <p><strong>${TYPE_ZH[r.type]}</strong> · 用户 ${r.user_id || "已注销"} · 提交于 ${formatDateTime(r.created_at)} · 期限 ${formatDateTime(r.due_at)}</p>
      <pre class="text">${r.text || "（内容已删除）"}</pre>
      ${r.status !== "open" && html`<p class="notice ok" role="status">已${r.status === "refused" ? "拒绝" : "答复"}：${r.answer}${r.reason ? `（理由：${r.reason}）` : ""}</p>`}
    </div>`}
    ${r && r.status === "open" && html`<form class="card" onSubmit=${(e) => (e.preventDefault(), act.run())}>
      <${Field} as="select" label="处理结果" value=${status} onChange=${(e) => setStatus(e.currentTarget.value)}>
        <option value="done">已处理，答复用户</option>
        <option value="refused">拒绝（须说明理由）</option>
      <//>
      <${Field} as="textarea" label="给用户的答复" value=${answer} maxlength="2000" onInput=${(e) => setAnswer(e.currentTarget.value)} />
      ${status === "refused" && html`<${Field} as="textarea" label="拒绝理由" value=${reason} maxlength="500"
        onInput=${(e) => setReason(e.currentTarget.value)} error=${reasonError}
        hint="用户会看到理由，以及可以投诉的监管渠道。" />`}
      <${ErrorNotice} error=${reasonError ? null : act.error} />
      <${Button} type="submit" busy=${act.busy} disabled=${!answer.trim()} data-testid="answer">提交答复<//>
    </form>`}
  </section>`;
}
