// policy.js - the published policy versions (九) and a line diff between
// any two of them.
import { html, useEffect, useState } from "../lib/html.js";
import { api } from "../lib/api.js";
import { diffLines } from "../lib/diff.js";
import { Button, ErrorNotice, Field, formatDateTime } from "../lib/ui.js";

/** The changed lines with two lines around each; null marks a gap. */
function context(diff, around = 2) {
  const keep = diff.map(() => false);
  diff.forEach((d, i) => {
    if (d.op !== "same") for (let k = Math.max(0, i - around); k <= Math.min(diff.length - 1, i + around); k++) keep[k] = true;
  });
  const out = [];
  diff.forEach((d, i) => {
    if (keep[i]) out.push(d);
    else if (out.length === 0 || out[out.length - 1] !== null) out.push(null);
  });
  return out;
}

export function PolicyVersions() {
  const [versions, setVersions] = useState(null);
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [diff, setDiff] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    api("GET", "/v1/privacy/policy/versions").then((j) => {
      setVersions(j.items);
      if (j.items.length) setTo(j.items[0].version);
      if (j.items.length > 1) setFrom(j.items[1].version);
      else if (j.items.length) setFrom(j.items[0].version);
    }, setError);
  }, []);
  const compare = async () => {
    setError(null);
    try {
      const [a, b] = await Promise.all([from, to].map((v) => api("GET", `/v1/privacy/policy/${v}`)));
      setDiff(diffLines(a.text, b.text));
    } catch (e) {
      setError(e);
    }
  };
  const label = (v) => `${formatDateTime(v.published_at)} · ${v.version}${v.material ? " · 重要变更" : ""}`;
  const changed = diff ? diff.filter((d) => d.op !== "same").length : 0;
  return html`<section aria-labelledby="pv-h">
    <h1 id="pv-h">隐私政策版本</h1>
    <p class="muted small">发布新版本：在服务器上运行 <code>wlk policy publish</code>（数据清单变化时自动视为重要变更，用户须重新同意）。</p>
    <${ErrorNotice} error=${error} />
    ${versions && html`<table data-testid="policy-versions">
      <thead><tr><th scope="col">发布时间</th><th scope="col">版本</th><th scope="col">类型</th><th scope="col">说明</th></tr></thead>
      <tbody>${versions.map((v) => html`<tr key=${v.version}><td>${formatDateTime(v.published_at)}</td><td><code>${v.version}</code></td>
        <td>${v.material ? html`<span class="tag warn">重要变更</span>` : "措辞修订"}</td><td>${v.note}</td></tr>`)}</tbody>
    </table>
    <div class="card">
      <h2>比较两个版本</h2>
      <div class="grid2">
        <${Field} as="select" label="旧版本" value=${from} onChange=${(e) => setFrom(e.currentTarget.value)} name="from">
          ${versions.map((v) => html`<option value=${v.version}>${label(v)}</option>`)}<//>
        <${Field} as="select" label="新版本" value=${to} onChange=${(e) => setTo(e.currentTarget.value)} name="to">
          ${versions.map((v) => html`<option value=${v.version}>${label(v)}</option>`)}<//>
      </div>
      <${Button} onClick=${compare} data-testid="compare">比较<//>
    </div>`}
    ${diff && html`<div class="card">
      <p role="status" data-testid="diff-summary">${changed === 0 ? "两个版本的文本相同。" : `共 ${changed} 行不同。`}</p>
      <pre class="diff" data-testid="diff">${context(diff).map((d, i) => d === null
        ? html`<span key=${i} class="d-gap">  …\n</span>`
        : html`<span key=${i} class=${`d-${d.op}`}>${d.op === "add" ? "+ " : d.op === "del" ? "- " : "  "}${d.line}\n</span>`)}</pre>
    </div>`}
  </section>`;
}
