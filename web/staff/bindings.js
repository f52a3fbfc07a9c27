// bindings.js - the binding review queue (reviewer; admins see it): the
// applications with the contact phone masked; the business card and work
// badge shown only after a stated reason (audited, and the applicant sees
// it); approve, or reject with the reason the applicant is shown.
import { html, useEffect, useState } from "../lib/html.js";
import { api } from "../lib/api.js";
import { Button, ErrorNotice, Field, formatDateTime, useAction } from "../lib/ui.js";

function Application({ b, canDecide, done }) {
  const [reason, setReason] = useState("");
  const [why, setWhy] = useState("");
  const [docs, setDocs] = useState(null);
  const act = useAction(async (what) => {
    if (what === "docs") setDocs(await api("POST", `/v1/admin/bindings/${b.id}/documents`, { reason: why }));
    else {
      await api("POST", `/v1/admin/bindings/${b.id}/decision`, { decision: what, reason });
      done();
    }
  });
  return html`<li class="card stack" data-testid="application" data-binding=${b.id}>
    <p><strong>${b.development_name}</strong> · ${b.role === "manager" ? "案场经理" : "置业顾问"}${b.main ? " · 主营" : ""}</p>
    <p class="small">用户 ${b.user_id} · 联系电话 <span data-testid="masked-phone">${b.contact_phone_masked}</span> · 申请于 ${formatDateTime(b.created_at)}</p>
    <${ErrorNotice} error=${act.error} />
    ${canDecide && b.has_documents && !docs && html`<form onSubmit=${(e) => (e.preventDefault(), act.run("docs"))}>
      <${Field} label="查看名片与工牌的理由（记入审计，并告知申请人）" name="docs-reason" value=${why} onInput=${(e) => setWhy(e.currentTarget.value)} />
      <${Button} type="submit" kind="secondary small" busy=${act.busy} data-testid="show-documents">查看证件<//>
    </form>`}
    ${docs && html`<div class="row">
      <img src=${`data:image/png;base64,${docs.business_card}`} alt="名片照片" data-testid="card-image" width="160" />
      <img src=${`data:image/png;base64,${docs.work_badge}`} alt="工牌照片" data-testid="badge-image" width="160" />
    </div>`}
    ${canDecide && html`<div>
      <${Field} label="驳回理由（申请人可见）" name="reject-reason" value=${reason} onInput=${(e) => setReason(e.currentTarget.value)} />
      <div class="row">
        <${Button} kind="small" busy=${act.busy} onClick=${() => act.run("approve")} data-testid="approve">通过<//>
        <${Button} kind="danger secondary small" busy=${act.busy} onClick=${() => act.run("reject")} data-testid="reject">驳回<//>
      </div>
    </div>`}
  </li>`;
}

export function BindingQueue({ me }) {
  const [status, setStatus] = useState("pending");
  const [items, setItems] = useState(null);
  const load = useAction(async () => setItems((await api("GET", `/v1/admin/bindings?status=${status}`)).items));
  useEffect(() => { load.run(); }, [status]);
  return html`<section aria-labelledby="bind-h">
    <h1 id="bind-h">绑定楼盘审核</h1>
    <${Field} as="select" label="状态" value=${status} onChange=${(e) => setStatus(e.currentTarget.value)}>
      <option value="pending">待审核</option><option value="approved">已通过</option>
      <option value="rejected">已驳回</option><option value="unbound">已解绑</option>
    <//>
    <${ErrorNotice} error=${load.error} />
    ${items && items.length === 0 && html`<p class="muted" data-testid="queue-empty">没有申请。</p>`}
    <ul class="list">${(items || []).map((b) => html`<${Application} key=${b.id} b=${b}
      canDecide=${me.role === "reviewer" && status === "pending"} done=${() => load.run()} />`)}</ul>
  </section>`;
}
