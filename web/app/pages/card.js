// card.js - a consultant's card (名片), open to anyone: the verified name
// and the developments they sell, main first, each a link that attributes
// the visit to them (?consultant=…&src=link) and, signed in, a 微聊 that
// opens a chat starting with the development's card.
import { html, useEffect, useState } from "../../lib/html.js";
import { api } from "../../lib/api.js";
import { navigate } from "../../lib/router.js";
import { Button, ErrorNotice, TopBar, useAction } from "../../lib/ui.js";
import { startWith } from "../chat.js";

export function ConsultantCard({ id, signedIn }) {
  const [card, setCard] = useState(null);
  const load = useAction(async () => setCard(await api("GET", `/v1/consultants/${id}`)));
  const chat = useAction(async (dev) => {
    const conv = await startWith(id, dev);
    navigate(`/chat/${conv.id}`);
  });
  useEffect(() => { load.run(); }, [id]);
  const back = () => (history.length > 1 ? history.back() : navigate("/homes"));
  return html`<div>
    <${TopBar} title=${card ? `${card.name}的名片` : "顾问名片"} back=${back} />
    <main class="page">
      <${ErrorNotice} error=${load.error} />
      ${card && html`<section class="card" aria-label="顾问" data-testid="consultant-card">
        <h2><span data-testid="card-name">${card.name}</span> <span class="tag ok">已认证</span></h2>
        <p class="muted small">置业顾问 · 实名认证，姓名为认证姓名</p>
      </section>
      <section class="card" aria-label="在售楼盘">
        <h2>在售楼盘</h2>
        <ul class="list">${card.developments.map((d) => {
          const href = `/homes/${d.development_id}?consultant=${id}&src=link`;
          return html`<li key=${d.development_id} class="row" data-testid="card-development">
            <a class="grow" href=${href} onClick=${(e) => { e.preventDefault(); navigate(href); }}>
              <strong>${d.name}</strong>${d.main && html` <span class="tag">主营</span>`}<br />
              <span class="muted small">${d.city} ${d.district} · 均价 ${d.price_text}</span>
            </a>
            ${signedIn
              ? html`<${Button} kind="small" busy=${chat.busy} onClick=${() => chat.run(d.development_id)}
                  data-testid="card-wechat" aria-label=${`微聊：${d.name}`}>微聊<//>`
              : html`<span class="muted small">登录后可微聊</span>`}
          </li>`;
        })}</ul>
        ${card.developments[0] && html`<p class="small muted">${card.developments[0].price_notice}</p>`}
        <${ErrorNotice} error=${chat.error} />
      </section>`}
    </main>
  </div>`;
}
