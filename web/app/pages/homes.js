// homes.js - 找房, the buyer's side of the catalogue: search and filters
// (nothing personal is sent; a position only for one search, and for a
// signed-in person only with the location consent), a development's page
// with its facts, layouts, price notice and consultants (微聊 opens a chat
// that starts with the development's card), and the attribution of a
// visit through a consultant's QR code or link (?consultant=…&src=qr).
import { html, useEffect, useState } from "../../lib/html.js";
import { api } from "../../lib/api.js";
import { navigate } from "../../lib/router.js";
import { Button, ErrorNotice, Field, Notice, TopBar, useAction } from "../../lib/ui.js";
import { Tabs } from "./tabs.js";
import { startWith } from "../chat.js";

const STATUSES = [["", "全部"], ["on_sale", "在售"], ["pending", "待售"], ["last_units", "尾盘"], ["sold_out", "售罄"]];
const SORTS = [["default", "默认"], ["price", "均价从低到高"], ["price_desc", "均价从高到低"], ["opening", "开盘时间"]];

function query(f, cursor) {
  const p = new URLSearchParams();
  for (const k of ["q", "city", "district", "sale_status", "sort", "price_max"]) if (f[k]) p.set(k, f[k]);
  if (cursor) p.set("cursor", cursor);
  p.set("limit", "10");
  return `/v1/developments?${p}`;
}

function Summary({ d }) {
  return html`<li class="card development" data-testid="development">
    <a class="list-item" href=${`/homes/${d.id}`}
      onClick=${(e) => { e.preventDefault(); navigate(`/homes/${d.id}`); }}>
      <span class="grow">
        <strong>${d.name}</strong> <span class="tag">${d.sale_status_label}</span><br />
        <span class="muted small">${d.city} · ${d.district}${d.subarea ? ` · ${d.subarea}` : ""}</span><br />
        <span class="price">${d.price_text}</span>
        ${d.area && html`<span class="muted small"> · 建面 ${d.area.min}-${d.area.max}㎡</span>`}
        ${d.distance_m !== undefined && html`<span class="muted small"> · ${(d.distance_m / 1000).toFixed(1)} km</span>`}
      </span>
      <span aria-hidden="true">›</span>
    </a>
  </li>`;
}

export function Homes({ signedIn }) {
  const [f, setF] = useState({ q: "", city: "", district: "", sale_status: "", sort: "default", price_max: "" });
  const [page, setPage] = useState({ items: [], next: null, loaded: false });
  const act = useAction(async (more) => {
    const j = await api("GET", query(f, more ? page.next : null));
    setPage({ items: more ? [...page.items, ...j.items] : j.items, next: j.next_cursor, loaded: true });
  });
  useEffect(() => { act.run(false); }, []);
  const set = (k) => (e) => setF({ ...f, [k]: e.target.value });
  const search = (e) => { e.preventDefault(); act.run(false); };
  return html`<div class=${signedIn ? "with-tabs" : ""}>
    <${TopBar} title="找房" />
    <main class="page">
      <form class="card" role="search" aria-label="搜索楼盘" onSubmit=${search}>
        <${Field} label="楼盘名称、别名或拼音首字母" name="q" value=${f.q} onInput=${set("q")} />
        <div class="row">
          <${Field} label="城市" name="city" value=${f.city} onInput=${set("city")} />
          <${Field} label="区域" name="district" value=${f.district} onInput=${set("district")} />
        </div>
        <div class="row">
          <${Field} label="销售状态" as="select" name="sale_status" value=${f.sale_status} onChange=${set("sale_status")}>
            ${STATUSES.map(([v, l]) => html`<option value=${v}>${l}</option>`)}
          <//>
          <${Field} label="排序" as="select" name="sort" value=${f.sort} onChange=${set("sort")}>
            ${SORTS.map(([v, l]) => html`<option value=${v}>${l}</option>`)}
          <//>
        </div>
        <${Field} label="均价不超过(元/㎡)" name="price_max" inputmode="numeric" value=${f.price_max} onInput=${set("price_max")} />
        <${Button} type="submit" busy=${act.busy} data-testid="search">搜索<//>
      </form>
      <${ErrorNotice} error=${act.error} />
      ${page.loaded && page.items.length === 0 && html`<${Notice}>没有找到符合条件的楼盘。<//>`}
      <ul class="list" aria-label="楼盘列表">${page.items.map((d) => html`<${Summary} key=${d.id} d=${d} />`)}</ul>
      ${page.next && html`<${Button} kind="secondary block" busy=${act.busy} onClick=${() => act.run(true)} data-testid="more">加载更多<//>`}
      <p class="small muted">实际售价以开发商取得“预售许可证”后的实际开盘价格为准。</p>
    </main>
    ${signedIn && html`<${Tabs} current="homes" />`}
  </div>`;
}

function Facts({ d }) {
  const rows = [
    ["地址", d.address], ["售楼处", d.sales_address], ["交通", d.metro], ["物业类型", d.property_type],
    ["参考总价", d.total_price_text], ["建面", d.area && `${d.area.min}-${d.area.max}㎡`],
    ["开盘", d.opening && d.opening.text], ["交房", d.handover && d.handover.text],
    ["开发商", d.developer], ["物业公司", d.property_company], ["装修", d.decoration_label],
    ["产权年限", d.tenure_years && `${d.tenure_years}年`], ["容积率", d.plot_ratio], ["绿化率", d.green_ratio && `${d.green_ratio}%`],
    ["规划户数", d.units], ["车位比", d.parking_ratio], ["物业费", d.property_fee && `${d.property_fee}元/㎡·月`],
    ["预售许可证", d.permits && d.permits.join("、")],
  ].filter(([, v]) => v !== null && v !== undefined && v !== "");
  return html`<dl class="facts">${rows.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>`;
}

export function Development({ id, signedIn }) {
  const [d, setD] = useState(null);
  const [cons, setCons] = useState([]);
  const [visit, setVisit] = useState(null);
  const load = useAction(async () => {
    setD(await api("GET", `/v1/developments/${id}`));
    setCons((await api("GET", `/v1/developments/${id}/consultants`)).items);
    const p = new URLSearchParams(location.search);
    const c = p.get("consultant");
    if (c && signedIn) {
      const src = p.get("src") === "qr" ? "qr" : "link";
      setVisit(await api("POST", `/v1/developments/${id}/visits`, { consultant_id: c, source: src }).catch(() => null));
    }
  });
  const chat = useAction(async (peer) => {
    const conv = await startWith(peer, id);
    navigate(`/chat/${conv.id}`);
  });
  useEffect(() => { load.run(); }, [id]);
  const back = () => (history.length > 1 ? history.back() : navigate("/homes"));
  if (!d) return html`<div><${TopBar} title="楼盘" back=${back} /><main class="page"><${ErrorNotice} error=${load.error} /></main></div>`;
  return html`<div>
    <${TopBar} title=${d.name} back=${back} />
    <main class="page">
      <section class="card" aria-label="概况">
        <h2>${d.name} <span class="tag">${d.sale_status_label}</span></h2>
        ${d.alias && html`<p class="muted small">别名：${d.alias}</p>`}
        <p class="price" data-testid="price">均价 ${d.price_text}</p>
        <p class="small muted" data-testid="price-notice">${d.price_notice}</p>
        ${d.tags && d.tags.length > 0 && html`<p>${d.tags.map((t) => html`<span class="tag">${t}</span> `)}</p>`}
        <${Facts} d=${d} />
        ${d.overview && html`<p>${d.overview}</p>`}
      </section>
      ${d.layouts.length > 0 && html`<section class="card" aria-label="户型">
        <h2>户型</h2>
        <ul class="list">${d.layouts.map((l) => html`<li key=${l.id} data-testid="layout">
          ${l.image && html`<img class="plan" src=${`/v1/catalog/images/${l.image}`} alt=${`${l.name}户型图`}
            width="160" height="120" loading="lazy" data-testid="plan" /><br />`}
          <strong>${l.name}</strong> · ${l.rooms}室${l.halls ?? 0}厅${l.baths ?? 0}卫 · ${l.area}㎡
          ${l.orientation && ` · 朝${l.orientation}`} · ${l.price_text}${l.sale_status_label && ` · ${l.sale_status_label}`}
        </li>`)}</ul>
      </section>`}
      <section class="card" aria-label="置业顾问">
        <h2>置业顾问</h2>
        ${visit && visit.consultant_id && html`<${Notice} role="status">您由顾问 ${cons.find((c) => c.user_id === visit.consultant_id)?.name || ""} 为您服务。<//>`}
        ${cons.length === 0 && html`<p class="muted">暂无认证顾问。</p>`}
        <ul class="list">${cons.map((c) => html`<li key=${c.user_id} class="row consultant" data-testid="consultant">
          <span class="grow"><a href=${`/consultants/${c.user_id}`} data-testid="card-link"
              onClick=${(e) => { e.preventDefault(); navigate(`/consultants/${c.user_id}`); }}><strong>${c.name}</strong></a>
            ${c.verified && html`<span class="tag ok">已认证</span>`}
            ${c.main && html` <span class="tag">主营</span>`}</span>
          ${signedIn
            ? html`<${Button} kind="small" busy=${chat.busy} onClick=${() => chat.run(c.user_id)} data-testid="wechat">微聊<//>`
            : html`<span class="muted small">登录后可微聊</span>`}
        </li>`)}</ul>
        <${ErrorNotice} error=${chat.error} />
      </section>
    </main>
  </div>`;
}
