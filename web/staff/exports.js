// exports.js - bulk exports under four eyes: one staff member asks (user
// ids and a reason), a second admin approves, then the requester may read
// the data once; each user's read is audited.
import { html, useEffect, useState } from "../lib/html.js";
import { api } from "../lib/api.js";
import { Button, ErrorNotice, Field, download, formatDateTime, useAction } from "../lib/ui.js";

const STATUS_ZH = { pending: "待第二人审批", approved: "已批准，可读取一次", read: "已读取" };

export function Exports({ me }) {
  const [items, setItems] = useState(null);
  const [ids, setIds] = useState("");
  const [reason, setReason] = useState("");
  const [data, setData] = useState(null);
  const load = () => api("GET", "/v1/admin/exports").then((j) => setItems(j.items), act.setError);
  const act = useAction(async (what, id) => {
    if (what === "create") {
      const user_ids = ids.split(/[\s,，]+/).filter(Boolean);
      await api("POST", "/v1/admin/exports", { user_ids, reason: reason.trim() });
      setIds("");
      setReason("");
    } else if (what === "approve") {
      await api("POST", `/v1/admin/exports/${id}/approve`);
    } else {
      const d = await api("GET", `/v1/admin/exports/${id}`);
      setData(d);
      download(`export-${id}.json`, JSON.stringify(d, null, 2));
    }
    await load();
  });
  useEffect(() => {
    load();
  }, []);
  return html`<section aria-labelledby="ex-h">
    <h1 id="ex-h">批量导出</h1>
    <p class="muted small">导出多名用户的明文信息须说明理由，并由另一名管理员批准；批准后申请人只能读取一次，每名用户的读取都会记入审计记录。</p>
    <form class="card" onSubmit=${(e) => (e.preventDefault(), act.run("create"))}>
      <h2>申请导出</h2>
      <${Field} as="textarea" label="用户 ID（逗号或换行分隔，最多 100 个）" value=${ids} onInput=${(e) => setIds(e.currentTarget.value)} name="export-ids" />
      <${Field} label="理由" value=${reason} onInput=${(e) => setReason(e.currentTarget.value)} name="export-reason" />
      <${Button} type="submit" busy=${act.busy} data-testid="export-request">提交申请<//>
    </form>
    <${ErrorNotice} error=${act.error} />
    ${items && html`<table data-testid="exports">
      <thead><tr><th scope="col">申请时间</th><th scope="col">申请人</th><th scope="col">用户数</th><th scope="col">理由</th><th scope="col">状态</th><th scope="col"><span class="visually-hidden">操作</span></th></tr></thead>
      <tbody>${items.map((x) => html`<tr key=${x.id} data-export=${x.id} data-status=${x.status}>
        <td>${formatDateTime(x.created_at)}</td><td>${x.requested_by}</td><td>${(x.user_ids || []).length}</td>
        <td>${x.reason}</td><td>${STATUS_ZH[x.status]}${x.approved_by ? ` · ${x.approved_by}` : ""}</td>
        <td>
          ${x.status === "pending" && me.role === "admin" && x.requested_by !== me.name &&
            html`<${Button} kind="small" onClick=${() => act.run("approve", x.id)} data-testid="export-approve">批准<//>`}
          ${x.status === "approved" && x.requested_by === me.name &&
            html`<${Button} kind="small" onClick=${() => act.run("read", x.id)} data-testid="export-read">读取<//>`}
        </td></tr>`)}</tbody>
    </table>`}
    ${data && html`<p class="notice ok" role="status" data-testid="export-data">已读取 ${data.users.length} 名用户的信息，文件已下载。${data.missing.length ? `${data.missing.length} 名用户已注销。` : ""}</p>`}
  </section>`;
}
