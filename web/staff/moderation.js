// moderation.js - 内容审核: the latest reviews with their take-down (a
// reason the author sees, audited), and the banned words with the phrases
// each may stand in (admins edit them, one word a line:
// 「第一 | 第一期, 第一次」; reviewers read).
import { html, useEffect, useState } from "../lib/html.js";
import { api } from "../lib/api.js";
import { Button, ErrorNotice, Field, formatDateTime, useAction } from "../lib/ui.js";

function ReviewItem({ r, canTakeDown, done }) {
  const [reason, setReason] = useState("");
  const act = useAction(async () => {
    await api("POST", `/v1/admin/reviews/${r.id}/takedown`, { reason });
    done();
  });
  return html`<li class="card stack" data-testid="mod-review" data-review=${r.id}>
    <p><strong>${r.development_name || r.development_id}</strong> · ${r.overall.toFixed(1)} 分
      <span class="muted small"> · ${formatDateTime(r.created_at)}</span></p>
    <p data-testid="mod-review-text">${r.text}</p>
    ${r.status === "hidden" && html`<p class="small">已下架：${r.hidden_reason}</p>`}
    ${canTakeDown && r.status === "published" && html`<form class="row" onSubmit=${(e) => (e.preventDefault(), act.run())}>
      <${Field} label="下架理由（作者可见，记入审计）" name="takedown-reason" value=${reason} onInput=${(e) => setReason(e.currentTarget.value)} />
      <${Button} type="submit" kind="danger secondary small" busy=${act.busy} data-testid="takedown">下架<//>
    </form>`}
    <${ErrorNotice} error=${act.error} />
  </li>`;
}

function toText(items) {
  return items.map((w) => (w.allow.length ? `${w.word} | ${w.allow.join(", ")}` : w.word)).join("\n");
}

function fromText(text) {
  return text.split("\n").map((l) => l.trim()).filter(Boolean).map((l) => {
    const [word, allow] = l.split("|");
    const phrases = (allow || "").split(/[,，]/).map((x) => x.trim()).filter(Boolean);
    return phrases.length ? { word: word.trim(), allow: phrases } : { word: word.trim() };
  });
}

function Words({ admin }) {
  const [text, setText] = useState("");
  const [saved, setSaved] = useState(null);
  const act = useAction(async (save) => {
    setSaved(null);
    const j = save ? await api("PUT", "/v1/admin/moderation/words", { items: fromText(text) })
      : await api("GET", "/v1/admin/moderation/words");
    setText(toText(j.items));
    if (save) setSaved(`已保存 ${j.items.length} 个词`);
  });
  useEffect(() => { act.run(false); }, []);
  return html`<section aria-labelledby="words-h">
    <h2 id="words-h">违禁词</h2>
    <${Field} as="textarea" label="每行一个词；竖线后为允许出现的词组，逗号分隔" name="banned-words" rows="12"
      value=${text} onInput=${(e) => setText(e.currentTarget.value)} readOnly=${!admin} />
    <${ErrorNotice} error=${act.error} />
    ${saved && html`<p class="notice ok" role="status" data-testid="words-saved">${saved}</p>`}
    ${admin && html`<${Button} busy=${act.busy} onClick=${() => act.run(true)} data-testid="words-save">保存<//>`}
  </section>`;
}

export function Moderation({ me }) {
  const [status, setStatus] = useState("published");
  const [items, setItems] = useState(null);
  const load = useAction(async () => setItems((await api("GET", `/v1/admin/reviews?status=${status}`)).items));
  useEffect(() => { load.run(); }, [status]);
  return html`<section aria-labelledby="mod-h">
    <h1 id="mod-h">内容审核</h1>
    <${Field} as="select" label="点评状态" value=${status} onChange=${(e) => setStatus(e.currentTarget.value)}>
      <option value="published">已发布</option><option value="hidden">已下架</option>
    <//>
    <${ErrorNotice} error=${load.error} />
    ${items && items.length === 0 && html`<p class="muted">没有点评。</p>`}
    <ul class="list">${(items || []).map((r) => html`<${ReviewItem} key=${r.id} r=${r}
      canTakeDown=${me.role === "reviewer"} done=${() => load.run()} />`)}</ul>
    <${Words} admin=${me.role === "admin"} />
  </section>`;
}
