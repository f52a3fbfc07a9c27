// attach.js - sending a location and a property card. A location needs the
// separate `location` consent: it is asked here, when the person first
// sends one, with what it is for and how long it is kept (from the data
// map); refusing closes the dialog and chat goes on as before (R2, R3).
import { html, useEffect, useState } from "../../lib/html.js";
import { api } from "../../lib/api.js";
import { useStore } from "../../lib/store.js";
import { Button, Dialog, ErrorNotice, Field, useAction } from "../../lib/ui.js";
import { retentionText, scopeLabel } from "../../lib/policy.js";
import { session } from "../session.js";
import * as chat from "../chat.js";

/** Whether a consent scope is granted now. */
export async function hasConsent(scope) {
  const j = await api("GET", "/v1/me/consents");
  return j.items.some((c) => c.scope === scope && c.granted_at && !c.withdrawn_at);
}

const LOCATION_NOTE = `仅在您发送位置时获取一次，只发给本会话的对方。您可以拒绝，拒绝不影响文字、图片等其他功能；
      同意后也可以随时在「我的—权限与同意」中撤回。`;

/** The separate-consent question for one scope (location, ...), with
 * what it is for (note). */
export function ConsentAsk({ scope, title, onAnswer, note = LOCATION_NOTE }) {
  const { policy } = useStore(session);
  const cats = policy.datamap.filter((c) => c.consent === scope);
  const act = useAction(async () => {
    await api("PUT", `/v1/me/consents/${scope}`, { version: policy.version });
    onAnswer(true);
  });
  return html`<div data-testid=${`consent-${scope}`}>
    <p>${title}需要您单独同意我们处理<strong>${scopeLabel(policy, scope)}</strong>：</p>
    <ul>
      ${cats.map((c) => html`<li key=${c.id}>${c.label_zh}${c.sensitive && html` <span class="tag danger">敏感</span>`}
        <span class="muted small"> · ${retentionText(c.retention)}</span></li>`)}
    </ul>
    <p class="small muted">${note}</p>
    <${ErrorNotice} error=${act.error} />
    <div class="row end">
      <${Button} kind="secondary" onClick=${() => onAnswer(false)} data-testid="consent-refuse">不同意<//>
      <${Button} onClick=${() => act.run()} busy=${act.busy} data-testid="consent-agree">同意<//>
    </div>
  </div>`;
}

/** The device's position once (WGS-84). */
export function locate() {
  return new Promise((resolve, reject) => {
    if (!navigator.geolocation) return reject(new Error("unsupported"));
    navigator.geolocation.getCurrentPosition(
      (p) => resolve({ lat: p.coords.latitude, lng: p.coords.longitude }),
      reject,
      { timeout: 10000, maximumAge: 60000 }
    );
  });
}

export function LocationSend({ conv, onClose }) {
  const [step, setStep] = useState("check");
  const [pos, setPos] = useState({ lat: "", lng: "" });
  const [name, setName] = useState("");
  const [error, setError] = useState(null);
  const [refused, setRefused] = useState(false);
  const find = () => {
    setStep("locating");
    locate().then(
      (p) => {
        setPos({ lat: p.lat.toFixed(6), lng: p.lng.toFixed(6) });
        setStep("confirm");
      },
      () => {
        setError("无法获取当前位置，您可以手动填写坐标。");
        setStep("confirm");
      }
    );
  };
  useEffect(() => {
    hasConsent("location").then((ok) => (ok ? find() : setStep("ask")), (e) => (setError(e), setStep("ask")));
  }, []);
  const send = (e) => {
    e.preventDefault();
    const lat = Number(pos.lat);
    const lng = Number(pos.lng);
    if (!(Math.abs(lat) <= 90 && Math.abs(lng) <= 180) || pos.lat === "" || pos.lng === "") {
      setError("请填写正确的纬度和经度。");
      return;
    }
    const body = { lat, lng };
    if (name.trim()) body.name = name.trim();
    chat.send(conv.id, "location", body);
    onClose();
  };
  if (refused)
    return html`<${Dialog} title="未发送位置" onClose=${onClose}>
      <p role="status" data-testid="location-refused">您没有同意，位置未发送。文字、图片等其他功能照常使用。</p>
      <div class="row end"><${Button} onClick=${onClose}>知道了<//></div>
    <//>`;
  return html`<${Dialog} title="发送位置" onClose=${onClose}>
    ${step === "check" && html`<p class="muted">正在检查…</p>`}
    ${step === "ask" && html`<${ConsentAsk} scope="location" title="发送位置"
      onAnswer=${(yes) => (yes ? find() : setRefused(true))} />`}
    ${step === "locating" && html`<p class="muted" role="status">正在获取位置…</p>`}
    ${step === "confirm" &&
    html`<form onSubmit=${send}>
      <${ErrorNotice} error=${error} />
      <div class="row">
        <div class="grow"><${Field} label="纬度" inputmode="decimal" value=${pos.lat}
          onInput=${(e) => setPos({ ...pos, lat: e.currentTarget.value })} /></div>
        <div class="grow"><${Field} label="经度" inputmode="decimal" value=${pos.lng}
          onInput=${(e) => setPos({ ...pos, lng: e.currentTarget.value })} /></div>
      </div>
      <${Field} label="地点名称（可选）" value=${name} maxlength="100" onInput=${(e) => setName(e.currentTarget.value)} />
      <div class="row end">
        <${Button} kind="secondary" onClick=${onClose}>取消<//>
        <${Button} type="submit" data-testid="location-send">发送位置<//>
      </div>
    </form>`}
  <//>`;
}

export function PropertyForm({ conv, onClose }) {
  const [f, setF] = useState({ name: "", price_per_sqm: "", area: "", address: "" });
  const [error, setError] = useState(null);
  const set = (k) => (e) => setF({ ...f, [k]: e.currentTarget.value });
  const send = (e) => {
    e.preventDefault();
    if (!f.name.trim()) {
      setError("请填写楼盘名称。");
      return;
    }
    const body = { name: f.name.trim() };
    if (f.price_per_sqm) body.price_per_sqm = Number(f.price_per_sqm) || f.price_per_sqm;
    if (f.area.trim()) body.area = f.area.trim();
    if (f.address.trim()) body.address = f.address.trim();
    chat.send(conv.id, "property", body);
    onClose();
  };
  return html`<${Dialog} title="发送楼盘卡片" onClose=${onClose}>
    <form onSubmit=${send}>
      <${Field} label="楼盘名称" value=${f.name} onInput=${set("name")} maxlength="60" error=${error} />
      <${Field} label="均价（元/㎡，可选）" inputmode="numeric" value=${f.price_per_sqm} onInput=${set("price_per_sqm")} />
      <${Field} label="建面（㎡，可选）" value=${f.area} onInput=${set("area")} placeholder="例如 89-143" />
      <${Field} label="地址（可选）" value=${f.address} onInput=${set("address")} maxlength="120" />
      <div class="row end">
        <${Button} kind="secondary" onClick=${onClose}>取消<//>
        <${Button} type="submit" data-testid="property-send">发送<//>
      </div>
    </form>
  <//>`;
}
