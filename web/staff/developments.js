// developments.js - the catalogue (admin edits; reviewers read): a
// development's whole document as JSON, created, replaced or retired
// (each audited). Large catalogues are loaded with `wlk developments
// import FILE.jsonl`; its runs are listed here (admin) with their
// progress, counts and refused lines, refreshed while one runs.
import { html, useEffect, useState } from "../lib/html.js";
import { api } from "../lib/api.js";
import { errorText } from "../lib/errors.js";
import { Button, ErrorNotice, Field, formatDateTime, useAction } from "../lib/ui.js";

const RUN_STATES = { running: "导入中", done: "已完成", stalled: "已中断（10分钟无进展）" };

function Imports() {
  const [runs, setRuns] = useState(null);
  const load = useAction(async () => setRuns((await api("GET", "/v1/admin/catalog/imports?limit=10")).items));
  useEffect(() => { load.run(); }, []);
  const running = (runs || []).some((r) => r.status === "running");
  useEffect(() => {
    if (!running) return undefined;
    const t = setInterval(() => load.run(), 3000);
    return () => clearInterval(t);
  }, [running]);
  return html`<section aria-labelledby="imp-h">
    <h2 id="imp-h">导入记录</h2>
    <${ErrorNotice} error=${load.error} />
    ${runs && runs.length === 0 && html`<p class="muted" data-testid="imports-empty">还没有导入记录。</p>`}
    <ul class="list">${(runs || []).map((r) => html`<li key=${r.id} class="card" data-testid="import-run" data-status=${r.status}>
      <p><strong>${r.source}</strong> · <span data-testid="import-status">${RUN_STATES[r.status] || r.status}</span>${` · ${formatDateTime(r.started_at)}`}</p>
      <progress max="100" value=${r.percent} aria-label=${`${r.source} 导入进度`}>${r.percent}%</progress>
      <p class="small" data-testid="import-counts">共 ${r.lines} 行：新增 ${r.created}，更新 ${r.updated}，未变 ${r.unchanged}，拒绝 ${r.refused}</p>
      ${r.problems.length > 0 && html`<details>
        <summary>被拒绝的行（前 ${r.problems.length} 条）</summary>
        <ul class="small">${r.problems.map((p) => html`<li data-testid="import-problem" data-code=${p.code}>
          第 ${p.line} 行：${errorText({ code: p.code })}${p.field ? `（字段 ${p.field}）` : ""}
          <span class="muted"> ${p.message}</span></li>`)}</ul>
      </details>`}
    </li>`)}</ul>
    <${Button} kind="secondary small" busy=${load.busy} onClick=${() => load.run()} data-testid="imports-refresh">刷新<//>
  </section>`;
}

const BLANK = { name: "", city: "", district: "", sale_status: "on_sale", price_avg: null, layouts: [] };

export function Developments({ me }) {
  const [q, setQ] = useState("");
  const [found, setFound] = useState([]);
  const [id, setId] = useState(null);
  const [text, setText] = useState(JSON.stringify(BLANK, null, 2));
  const [saved, setSaved] = useState(null);
  const admin = me.role === "admin";
  const act = useAction(async (what, arg) => {
    setSaved(null);
    if (what === "search") setFound((await api("GET", `/v1/developments?limit=20&q=${encodeURIComponent(q)}`)).items);
    if (what === "open") {
      const d = await api("GET", `/v1/admin/developments/${arg}`);
      setId(d.id);
      setText(JSON.stringify(d, null, 2));
    }
    if (what === "new") {
      setId(null);
      setText(JSON.stringify(BLANK, null, 2));
    }
    if (what === "save") {
      let doc;
      try {
        doc = JSON.parse(text);
      } catch (e) {
        throw Object.assign(new Error("不是合法的 JSON"), { code: "invalid_json" });
      }
      const d = id ? await api("PUT", `/v1/admin/developments/${id}`, doc) : await api("POST", "/v1/admin/developments", doc);
      setId(d.id);
      setText(JSON.stringify(d, null, 2));
      setSaved("已保存");
    }
    if (what === "retire") {
      await api("DELETE", `/v1/admin/developments/${id}`);
      setSaved("已下架");
    }
  });
  return html`<section aria-labelledby="dev-h">
    <h1 id="dev-h">楼盘库</h1>
    <form class="row" role="search" aria-label="查找楼盘" onSubmit=${(e) => (e.preventDefault(), act.run("search"))}>
      <${Field} label="楼盘名称或拼音首字母" name="dev-q" value=${q} onInput=${(e) => setQ(e.currentTarget.value)} />
      <${Button} type="submit" kind="secondary small" data-testid="dev-search">查找<//>
      ${admin && html`<${Button} kind="secondary small" onClick=${() => act.run("new")} data-testid="dev-new">新建<//>`}
    </form>
    <ul class="list">${found.map((d) => html`<li key=${d.id}>
      <${Button} kind="link" onClick=${() => act.run("open", d.id)} data-testid="dev-open">${d.name}（${d.city}·${d.district}）<//></li>`)}</ul>
    <${ErrorNotice} error=${act.error} />
    ${saved && html`<p class="notice ok" role="status" data-testid="dev-saved">${saved}</p>`}
    <${Field} as="textarea" label=${id ? `楼盘 ${id}（JSON）` : "新楼盘（JSON）"} name="dev-json" rows="18"
      value=${text} onInput=${(e) => setText(e.currentTarget.value)} readOnly=${!admin} />
    ${admin && html`<div class="row">
      <${Button} busy=${act.busy} onClick=${() => act.run("save")} data-testid="dev-save">保存<//>
      ${id && html`<${Button} kind="danger secondary" busy=${act.busy} onClick=${() => act.run("retire")} data-testid="dev-retire">下架<//>`}
    </div>`}
    <p class="muted small">批量导入：<code>wlk developments import FILE.jsonl</code>（逐行校验，错误行报告行号且不写入）。</p>
    ${admin && html`<${Imports} />`}
  </section>`;
}
