// audit.js - the audit trail (oldest first, paged) with the result of
// walking its keyed hash chain.
import { html, useEffect, useState } from "../lib/html.js";
import { api } from "../lib/api.js";
import { Button, ErrorNotice, formatDateTime } from "../lib/ui.js";

export function Audit() {
  const [verify, setVerify] = useState(null);
  const [items, setItems] = useState([]);
  const [next, setNext] = useState(0);
  const [more, setMore] = useState(true);
  const [error, setError] = useState(null);
  const page = (after) =>
    api("GET", `/v1/admin/audit?after=${after}&limit=100`).then((j) => {
      setItems((x) => x.concat(j.items));
      setNext(j.next_after);
      setMore(j.items.length === 100);
    }, setError);
  useEffect(() => {
    api("GET", "/v1/admin/audit/verify").then(setVerify, setError);
    page(0);
  }, []);
  return html`<section aria-labelledby="audit-h">
    <h1 id="audit-h">审计记录</h1>
    <${ErrorNotice} error=${error} />
    ${verify && (verify.intact
      ? html`<p class="notice ok" role="status" data-testid="chain-ok">链校验通过：${verify.checked} 条记录完整。末条摘要 <code class="small">${verify.head.slice(0, 16)}…</code>（请另行保存，用于发现末尾记录被删除）。</p>`
      : html`<p class="notice error" role="alert" data-testid="chain-broken">链校验失败：第 ${verify.broken_at} 条记录被修改，或其前一条被删除。</p>`)}
    <table data-testid="audit-table">
      <thead><tr><th scope="col">#</th><th scope="col">时间</th><th scope="col">操作者</th><th scope="col">操作</th><th scope="col">用户</th><th scope="col">类别</th><th scope="col">理由</th></tr></thead>
      <tbody>${items.map((a) => html`<tr key=${a.seq}><td>${a.seq}</td><td>${formatDateTime(a.at)}</td><td>${a.actor}</td>
        <td>${a.action}</td><td>${a.subject_id || ""}</td><td>${a.categories || ""}</td><td>${a.reason || ""}</td></tr>`)}</tbody>
    </table>
    ${more && html`<${Button} kind="secondary" onClick=${() => page(next)}>加载更多<//>`}
  </section>`;
}
