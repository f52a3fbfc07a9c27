// reviews.js - 楼盘点评 on a development's page: the computed scores (the
// overall one is the mean, one decimal, from the server), the published
// reviews with their professional mark, and for a signed-in person their
// own review to write, edit or delete. A text the moderation refuses
// shows the banned word and where it is, so it can be changed.
import { html, useEffect, useState } from "../../lib/html.js";
import { api } from "../../lib/api.js";
import { Button, ErrorNotice, Field, formatDateTime, useAction } from "../../lib/ui.js";

const DIMENSIONS = [["price", "价格"], ["location", "地段"], ["transport", "交通"], ["amenities", "配套"], ["environment", "环境"]];
const BLANK = { price: 5, location: 5, transport: 5, amenities: 5, environment: 5 };

function score(v) {
  return v === null || v === undefined ? "暂无" : v.toFixed(1);
}

function Rejected({ error, text }) {
  if (!error || error.code !== "content_rejected" || !error.span) return html`<${ErrorNotice} error=${error} />`;
  const chars = Array.from(text);
  const { start, end } = error.span;
  return html`<div class="notice error" role="alert" data-error-code="content_rejected" data-testid="rejected">
    内容含有不能发布的词语「${error.word}」（第 ${start + 1}–${end} 个字）：
    ${chars.slice(Math.max(0, start - 8), start).join("")}<mark>${chars.slice(start, end).join("")}</mark>${chars.slice(end, end + 8).join("")}
  </div>`;
}

function ReviewForm({ devId, mine, onDone }) {
  const [scores, setScores] = useState(mine ? mine.scores : BLANK);
  const [text, setText] = useState(mine ? mine.text : "");
  const save = useAction(async () => {
    const body = { scores, text };
    if (mine) await api("PUT", `/v1/developments/${devId}/reviews/mine`, body);
    else await api("POST", `/v1/developments/${devId}/reviews`, body);
    onDone();
  });
  const remove = useAction(async () => {
    await api("DELETE", `/v1/developments/${devId}/reviews/mine`);
    onDone();
  });
  return html`<form class="stack" aria-label=${mine ? "修改我的点评" : "写点评"}
      onSubmit=${(e) => (e.preventDefault(), save.run())}>
    <div class="row">${DIMENSIONS.map(([k, label]) => html`<${Field} key=${k} label=${label} as="select" name=${`score-${k}`}
        value=${String(scores[k])} onChange=${(e) => setScores({ ...scores, [k]: Number(e.currentTarget.value) })}>
        ${[5, 4, 3, 2, 1].map((n) => html`<option value=${String(n)}>${n} 分</option>`)}
      <//>`)}</div>
    <${Field} label="点评内容" as="textarea" name="review-text" rows="4" maxlength="2000" value=${text}
      onInput=${(e) => setText(e.currentTarget.value)} />
    <${Rejected} error=${save.error} text=${text} />
    <${ErrorNotice} error=${remove.error} />
    <div class="row">
      <${Button} type="submit" busy=${save.busy} data-testid="review-save">${mine ? "保存修改" : "发布点评"}<//>
      ${mine && html`<${Button} kind="danger secondary" busy=${remove.busy} onClick=${() => remove.run()} data-testid="review-delete">删除<//>`}
    </div>
    <p class="small muted">请客观描述您的看法；含有「最佳」「第一」等绝对化用语的内容不能发布。</p>
  </form>`;
}

export function Reviews({ devId, signedIn }) {
  const [list, setList] = useState(null);
  const [mine, setMine] = useState(undefined);
  const [writing, setWriting] = useState(false);
  const load = useAction(async () => {
    setList(await api("GET", `/v1/developments/${devId}/reviews?limit=20`));
    if (signedIn) setMine((await api("GET", "/v1/me/reviews")).items.find((r) => r.development_id === devId) || null);
  });
  useEffect(() => { load.run(); }, [devId]);
  const done = () => (setWriting(false), load.run());
  const s = list && list.summary;
  return html`<section class="card" aria-labelledby="reviews-h" data-testid="reviews">
    <h2 id="reviews-h">点评</h2>
    <${ErrorNotice} error=${load.error} />
    ${s && html`<p data-testid="review-summary">综合 <strong data-testid="review-overall">${score(s.overall)}</strong>${` · ${s.count} 条点评`}
      <span class="muted small"> · ${DIMENSIONS.map(([k, label]) => `${label} ${score(s.scores[k])}`).join(" · ")}</span></p>`}
    ${mine && mine.status === "hidden" && html`<div class="notice error" role="status" data-testid="review-hidden">
      您的点评已被下架：${mine.hidden_reason}</div>`}
    ${signedIn && !writing && html`<${Button} kind="secondary small" onClick=${() => setWriting(true)} data-testid="review-write">
      ${mine ? "修改我的点评" : "写点评"}<//>`}
    ${signedIn && writing && html`<${ReviewForm} devId=${devId} mine=${mine} onDone=${done} />`}
    ${!signedIn && html`<p class="muted small">登录后可写点评。</p>`}
    ${list && list.items.length === 0 && html`<p class="muted">暂无点评。</p>`}
    <ul class="list">${(list ? list.items : []).map((r) => html`<li key=${r.id} data-testid="review">
      <p><strong>${r.author.nickname || "用户"}</strong>
        ${r.author.professional && html` <span class="tag ok">专家点评</span>`}
        <span class="muted small"> · ${r.overall.toFixed(1)} 分 · ${formatDateTime(r.created_at)}</span></p>
      <p data-testid="review-text">${r.text}</p>
    </li>`)}</ul>
  </section>`;
}
