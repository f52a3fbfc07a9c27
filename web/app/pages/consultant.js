// consultant.js - the consultant's side of 我的: identity verification
// (its separate consent asked first, with what it collects and how long;
// a face photo, or a bank card and the code sent to its reserved phone),
// the binding applications with their states and reasons, and the
// buyers attributed to them (masked phones, protection time left, the
// visit and the deal they record).
import { html, useEffect, useState } from "../../lib/html.js";
import { api } from "../../lib/api.js";
import { navigate } from "../../lib/router.js";
import { Button, ErrorNotice, Field, Notice, TopBar, formatDateTime, useAction } from "../../lib/ui.js";
import { ConsentAsk, hasConsent } from "./attach.js";

const SCOPE = "identity_verification";
const STATES = { none: "未认证", code_sent: "等待验证码", checking: "审核中", verified: "已认证", failed: "未通过" };
const BINDING_STATES = { pending: "审核中", approved: "已通过", rejected: "已驳回", unbound: "已解绑" };

/** A file as base64 (without the data: prefix). */
function base64Of(file) {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result).split(",")[1] || "");
    r.onerror = () => reject(r.error);
    r.readAsDataURL(file);
  });
}

const IDENTITY_NOTE = `仅用于核验您的身份（绑定楼盘前必须完成），由实名认证服务商核验；未满18周岁不能认证。
  拒绝不影响浏览与微聊，可随时在「我的—权限与同意」中撤回。`;

export function Verify({ back }) {
  const [state, setState] = useState(null);
  const [consent, setConsent] = useState(null);
  const [f, setF] = useState({ method: "face", name: "", id_number: "", bank_card: "", reserved_phone: "", code: "" });
  const [file, setFile] = useState(null);
  const load = async () => {
    setState(await api("GET", "/v1/me/identity"));
    setConsent(await hasConsent(SCOPE));
  };
  useEffect(() => {
    load();
    const t = setInterval(() => state && state.status === "checking" && load(), 1000);
    return () => clearInterval(t);
  }, [state && state.status]);
  const submit = useAction(async (e) => {
    e.preventDefault();
    const body = { method: f.method, name: f.name, id_number: f.id_number };
    if (f.method === "face") body.face_photo = file ? await base64Of(file) : "";
    else Object.assign(body, { bank_card: f.bank_card, reserved_phone: f.reserved_phone });
    setState(await api("POST", "/v1/me/identity", body));
  });
  const confirm = useAction(async (e) => {
    e.preventDefault();
    setState(await api("POST", "/v1/me/identity/code", { code: f.code }));
  });
  const set = (k) => (e) => setF({ ...f, [k]: e.target.value });
  const err = (a, field) => a.error && a.error.field === field ? a.error : null;
  let body;
  if (!state || consent === null) body = html`<p>正在加载…</p>`;
  else if (state.status === "verified")
    body = html`<${Notice} kind="ok" role="status"><span data-testid="verified">已认证：${state.name}（${state.id_masked}）</span><//>`;
  else if (!consent)
    body = html`<section class="card"><${ConsentAsk} scope=${SCOPE} title="实名认证" note=${IDENTITY_NOTE}
      onAnswer=${(yes) => (yes ? setConsent(true) : back())} /></section>`;
  else if (state.status === "code_sent")
    body = html`<form class="card" onSubmit=${(e) => confirm.run(e)}>
      <p>验证码已发送至银行预留手机号。</p>
      <${Field} label="验证码" name="code" inputmode="numeric" autocomplete="one-time-code" value=${f.code} onInput=${set("code")} />
      <${ErrorNotice} error=${confirm.error} />
      <${Button} type="submit" busy=${confirm.busy} data-testid="confirm-code">提交<//>
    </form>`;
  else if (state.status === "checking") body = html`<${Notice} role="status"><span data-testid="checking">正在核验，请稍候…</span><//>`;
  else
    body = html`<form class="card" onSubmit=${(e) => submit.run(e)}>
      ${state.status === "failed" && html`<${Notice} kind="warn" role="status"><span data-testid="failed">上次认证未通过（${state.reason}），请核对后重试。</span><//>`}
      <${Field} label="认证方式" as="select" name="method" value=${f.method} onChange=${set("method")}>
        <option value="face">人脸照片</option><option value="bank_card">银行卡</option>
      <//>
      <${Field} label="姓名" name="name" value=${f.name} onInput=${set("name")} error=${err(submit, "name") && "请填写身份证上的姓名"} />
      <${Field} label="身份证号码" name="id_number" value=${f.id_number} onInput=${set("id_number")}
        error=${err(submit, "id_number") && submit.error.serverMessage} />
      ${f.method === "face"
        ? html`<div class="field"><label for="face-photo">人脸照片（JPEG 或 PNG）</label>
            <input id="face-photo" type="file" name="face_photo" accept="image/jpeg,image/png" onChange=${(e) => setFile(e.target.files[0])} /></div>`
        : html`<${Field} label="银行卡号" name="bank_card" inputmode="numeric" value=${f.bank_card} onInput=${set("bank_card")} />
            <${Field} label="银行预留手机号" name="reserved_phone" inputmode="tel" value=${f.reserved_phone} onInput=${set("reserved_phone")} />`}
      <${ErrorNotice} error=${submit.error && !["name", "id_number"].includes(submit.error.field) ? submit.error : null} />
      <${Button} type="submit" busy=${submit.busy} data-testid="verify-submit">提交认证<//>
      <p class="small muted">认证完成后照片或银行卡信息即删除；仅保留认证结果、打码的身份证号码与姓名（加密保存）。</p>
    </form>`;
  return html`<div>
    <${TopBar} title="实名认证" back=${back} />
    <main class="page">
      <p class="muted small">状态：<span data-testid="identity-status">${state ? STATES[state.status] : ""}</span></p>
      ${body}
    </main>
  </div>`;
}

export function Bindings({ back }) {
  const [items, setItems] = useState([]);
  const [q, setQ] = useState("");
  const [found, setFound] = useState([]);
  const [f, setF] = useState({ development_id: "", role: "consultant", main: false, contact_phone: "" });
  const [files, setFiles] = useState({});
  const load = async () => setItems((await api("GET", "/v1/me/bindings")).items);
  useEffect(() => { load(); }, []);
  const search = useAction(async (e) => {
    e.preventDefault();
    setFound((await api("GET", `/v1/developments?limit=10&q=${encodeURIComponent(q)}`)).items);
  });
  const apply = useAction(async (e) => {
    e.preventDefault();
    await api("POST", "/v1/bindings", {
      ...f,
      business_card: files.card ? await base64Of(files.card) : "",
      work_badge: files.badge ? await base64Of(files.badge) : "",
    });
    await load();
  });
  const unbind = useAction(async (id) => {
    await api("DELETE", `/v1/bindings/${id}`);
    await load();
  });
  const set = (k) => (e) => setF({ ...f, [k]: e.target.value });
  return html`<div>
    <${TopBar} title="我的楼盘" back=${back} />
    <main class="page">
      <ul class="list" aria-label="绑定的楼盘">${items.map((b) => html`<li key=${b.id} class="card row" data-testid="binding">
        <span class="grow"><strong>${b.development_name}</strong>${b.main && html` <span class="tag">主营</span>`}<br />
          <span class="muted small">${b.role === "manager" ? "案场经理" : "置业顾问"} · <span data-testid="binding-status">${BINDING_STATES[b.status]}</span>
          ${b.reason && html` · 理由：<span data-testid="binding-reason">${b.reason}</span>`}</span></span>
        ${(b.status === "pending" || b.status === "approved") &&
          html`<${Button} kind="secondary small" onClick=${() => unbind.run(b.id)}>解绑<//>`}
      </li>`)}</ul>
      <form class="card" role="search" aria-label="查找楼盘" onSubmit=${(e) => search.run(e)}>
        <h2>申请绑定楼盘</h2>
        <${Field} label="楼盘名称" name="binding-q" value=${q} onInput=${(e) => setQ(e.target.value)} />
        <${Button} type="submit" kind="secondary" busy=${search.busy} data-testid="binding-search">查找<//>
      </form>
      ${found.length > 0 && html`<form class="card" onSubmit=${(e) => apply.run(e)}>
        <${Field} label="楼盘" as="select" name="development_id" value=${f.development_id} onChange=${set("development_id")}>
          <option value="">请选择</option>
          ${found.map((d) => html`<option value=${d.id}>${d.name}（${d.city}）</option>`)}
        <//>
        <${Field} label="角色" as="select" name="role" value=${f.role} onChange=${set("role")}>
          <option value="consultant">置业顾问</option><option value="manager">案场经理</option>
        <//>
        <div class="field"><label><input type="checkbox" name="main" checked=${f.main}
          onChange=${(e) => setF({ ...f, main: e.target.checked })} /> 设为主营楼盘</label></div>
        <${Field} label="联系电话" name="contact_phone" inputmode="tel" value=${f.contact_phone} onInput=${set("contact_phone")} />
        <div class="field"><label for="card-photo">名片照片</label>
          <input id="card-photo" type="file" name="business_card" accept="image/jpeg,image/png" onChange=${(e) => setFiles({ ...files, card: e.target.files[0] })} /></div>
        <div class="field"><label for="badge-photo">工牌照片</label>
          <input id="badge-photo" type="file" name="work_badge" accept="image/jpeg,image/png" onChange=${(e) => setFiles({ ...files, badge: e.target.files[0] })} /></div>
        <${ErrorNotice} error=${apply.error} />
        ${apply.error && apply.error.code === "identity_required" &&
          html`<${Button} kind="link" onClick=${() => navigate("/me/verify")}>去实名认证<//>`}
        <${Button} type="submit" busy=${apply.busy} data-testid="binding-apply">提交申请<//>
        <p class="small muted">名片与工牌照片仅供审核，审核完成后即删除；工作人员查看会记录在「谁查看了我的信息」。</p>
      </form>`}
    </main>
  </div>`;
}

const BUYER_STAGES = { new: "新客户", visited: "已到访", deal: "已成交" };

function protection(b) {
  if (b.stage === "deal") return "已成交，客户长期归属于您";
  const period = b.stage === "visited" ? "成交保护期" : "到访保护期";
  return `${period}剩余 ${b.days_left} 天（至 ${formatDateTime(b.protected_until)}）`;
}

/** One attributed buyer: masked phone, stage, protection left, and the
 * buttons that record a visit (到访) or a deal (成交). */
function BuyerItem({ b, reload }) {
  const record = useAction(async (stage) => {
    await api("POST", `/v1/consultant/developments/${b.development_id}/buyers/${b.buyer_id}/stage`, { stage });
    await reload();
  });
  return html`<li class="card stack" data-testid="buyer" data-stage=${b.stage}>
    <div><strong data-testid="buyer-phone">${b.phone_masked}</strong> <span class="tag" data-testid="buyer-stage">${BUYER_STAGES[b.stage]}</span></div>
    <div class="muted small" data-testid="buyer-protection">${protection(b)}</div>
    <div class="row">
      ${b.stage === "new" &&
      html`<${Button} kind="secondary small" busy=${record.busy} onClick=${() => record.run("visited")}
          data-testid="record-visit">记录到访<//>`}
      ${b.stage !== "deal" &&
      html`<${Button} kind="secondary small" busy=${record.busy} onClick=${() => record.run("deal")}
          data-testid="record-deal">记录成交<//>`}
    </div>
    <${ErrorNotice} error=${record.error} />
  </li>`;
}

export function Buyers({ back }) {
  const [items, setItems] = useState(null);
  const load = useAction(async () => setItems((await api("GET", "/v1/consultant/buyers")).items));
  useEffect(() => { load.run(); }, []);
  return html`<div>
    <${TopBar} title="我的客户" back=${back} />
    <main class="page">
      <${ErrorNotice} error=${load.error} />
      ${items && items.length === 0 && html`<${Notice}>暂无归属于您的客户。<//>`}
      <ul class="list" aria-label="我的客户">${(items || []).map((b) =>
        html`<${BuyerItem} key=${`${b.buyer_id}-${b.development_id}`} b=${b} reload=${load.run} />`)}</ul>
      <p class="small muted">客户号码仅显示打码后的号码。记录到访后进入成交保护期；保护期结束未成交的客户进入楼盘公共客户池。</p>
    </main>
  </div>`;
}
