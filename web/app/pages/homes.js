// homes.js - 找房, the buyer's side of the catalogue: search and filters
// (nothing personal is sent; a position only for one search, and for a
// signed-in person only with the location consent), a development's page
// with its facts, layouts, price notice and consultants (微聊 opens a chat
// that starts with the development's card), and the attribution of a
// visit through a consultant's QR code or link (?consultant=…&src=qr).
import { html, useEffect, useState } from "../../lib/html.js";
import { api } from "../../lib/api.js";
import { navigate } from "../../lib/router.js";
import { Button, Dialog, ErrorNotice, Field, Notice, TopBar, useAction } from "../../lib/ui.js";
import { Tabs } from "./tabs.js";
import { startWith } from "../chat.js";
import { ConsentAsk, hasConsent, locate } from "./attach.js";
import { Reviews } from "./reviews.js";

const STATUSES = [["", "全部"], ["on_sale", "在售"], ["pending", "待售"], ["last_units", "尾盘"], ["sold_out", "售罄"]];
const SORTS = [["default", "默认"], ["price", "均价从低到高"], ["price_desc", "均价从高到低"], ["opening", "开盘时间"]];

function query(f, cursor) {
  const p = new URLSearchParams();
  for (const k of ["q", "city", "district", "sale_status", "sort", "price_max"]) if (f[k]) p.set(k, f[k]);
  if (f.near) {
    // the device's GPS reading, for this search only (the server stores none)
    p.set("lat", f.near.lat.toFixed(6));
    p.set("lng", f.near.lng.toFixed(6));
    p.set("datum", "wgs84");
    p.set("radius_km", "20");
    p.set("sort", "distance");
  }
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

const NEAR_NOTE = `仅用于本次附近搜索，不会保存；拒绝不影响按城市、区域找房。同意后可随时在「我的—权限与同意」中撤回。`;

/** 附近: a signed-in person is asked for the location consent first (a
 * visitor's position is used for the one search and never stored); a
 * refusal or no position leaves the typed city and district. */
function useNearby(signedIn, onPosition) {
  const [step, setStep] = useState(null); // null | ask | locating
  const [note, setNote] = useState(null);
  const find = () => {
    setStep("locating");
    locate().then(
      (p) => (setStep(null), setNote(null), onPosition(p)),
      () => (setStep(null), setNote("无法获取当前位置，请填写城市和区域查找。"))
    );
  };
  const start = async () => {
    setNote(null);
    if (!signedIn) return find();
    try {
      if (await hasConsent("location")) return find();
    } catch (e) {
      /* asked below */
    }
    setStep("ask");
  };
  const answer = (yes) => (yes ? find() : (setStep(null), setNote("未使用您的位置，请填写城市和区域查找。")));
  return { step, note, start, answer };
}

export function Homes({ signedIn }) {
  const [f, setF] = useState({ q: "", city: "", district: "", sale_status: "", sort: "default", price_max: "", near: null });
  const [page, setPage] = useState({ items: [], next: null, loaded: false });
  const act = useAction(async (more, over) => {
    const j = await api("GET", query(over || f, more ? page.next : null));
    setPage({ items: more ? [...page.items, ...j.items] : j.items, next: j.next_cursor, loaded: true });
  });
  const nearby = useNearby(signedIn, (near) => {
    const g = { ...f, near };
    setF(g);
    act.run(false, g);
  });
  const farAgain = () => {
    const g = { ...f, near: null };
    setF(g);
    act.run(false, g);
  };
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
        <div class="row">
          <${Button} type="submit" busy=${act.busy} data-testid="search">搜索<//>
          ${f.near
            ? html`<${Button} kind="secondary" onClick=${farAgain} data-testid="nearby-off">取消附近<//>`
            : html`<${Button} kind="secondary" busy=${nearby.step === "locating"} onClick=${nearby.start}
                data-testid="nearby">附近楼盘<//>`}
        </div>
        ${f.near && html`<p class="small muted" role="status" data-testid="nearby-on">按距离排序（20 km 内）；位置仅用于本次搜索，不会保存。</p>`}
        ${nearby.note && html`<p class="small" role="status" data-testid="nearby-note">${nearby.note}</p>`}
      </form>
      ${nearby.step === "ask" && html`<${Dialog} title="附近楼盘" onClose=${() => nearby.answer(false)}>
        <${ConsentAsk} scope="location" title="查找附近楼盘" note=${NEAR_NOTE} onAnswer=${nearby.answer} />
      <//>`}
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
            ${c.verified && html` <span class="tag ok">已认证</span>`}
            ${c.main && html` <span class="tag">主营</span>`}</span>
          ${signedIn
            ? html`<${Button} kind="small" busy=${chat.busy} onClick=${() => chat.run(c.user_id)} data-testid="wechat">微聊<//>`
            : html`<span class="muted small">登录后可微聊</span>`}
        </li>`)}</ul>
        <${ErrorNotice} error=${chat.error} />
      </section>
      <${Reviews} devId=${d.id} signedIn=${signedIn} />
    </main>
  </div>`;
}
