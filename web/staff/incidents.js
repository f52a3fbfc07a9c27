// incidents.js - publishing a personal-information security incident
// notice (六.二.6): what happened, the possible harm, what we did, what
// users should do, and whom to contact; to every user or named ones.
import { html, useEffect, useState } from "../lib/html.js";
import { api } from "../lib/api.js";
import { Button, ErrorNotice, Field, useAction } from "../lib/ui.js";

const TEXTS = [
  ["cause", "事件原因"],
  ["harm", "可能的影响"],
  ["remedies", "已采取的补救措施"],
  ["actions", "建议用户采取的措施"],
  ["contact", "联系方式"],
];

export function Incidents() {
  const [policy, setPolicy] = useState(null);
  const [cats, setCats] = useState([]);
  const [f, setF] = useState({ cause: "", harm: "", remedies: "", actions: "", contact: "400-620-6688" });
  const [who, setWho] = useState("all");
  const [ids, setIds] = useState("");
  const [done, setDone] = useState(null);
  useEffect(() => {
    api("GET", "/v1/privacy/policy").then(setPolicy, () => {});
  }, []);
  const act = useAction(async () => {
    const body = { categories: cats, ...f };
    if (who === "some") body.users = ids.split(/[\s,，]+/).filter(Boolean);
    setDone(await api("POST", "/v1/admin/incidents", body));
  });
  const toggle = (c) => setCats(cats.includes(c) ? cats.filter((x) => x !== c) : cats.concat(c));
  return html`<section aria-labelledby="inc-h">
    <h1 id="inc-h">安全事件告知</h1>
    <form class="card" onSubmit=${(e) => (e.preventDefault(), setDone(null), act.run())}>
      <fieldset class="plain"><legend>涉及的个人信息类别</legend>
        <div class="cat-grid">
          ${policy && policy.datamap.map((c) => html`<label class="switch" key=${c.id}>
            <input type="checkbox" checked=${cats.includes(c.id)} onChange=${() => toggle(c.id)} data-cat=${c.id} />
            <span>${c.label_zh}</span></label>`)}
        </div>
      </fieldset>
      ${TEXTS.map(([k, label]) => html`<${Field} key=${k} as="textarea" label=${label} value=${f[k]} maxlength="2000"
        name=${`inc-${k}`} onInput=${(e) => setF({ ...f, [k]: e.currentTarget.value })} />`)}
      <${Field} as="select" label="告知对象" value=${who} onChange=${(e) => setWho(e.currentTarget.value)}>
        <option value="all">全部用户</option><option value="some">指定用户</option><//>
      ${who === "some" && html`<${Field} as="textarea" label="用户 ID（逗号或换行分隔）" value=${ids} onInput=${(e) => setIds(e.currentTarget.value)} />`}
      <${ErrorNotice} error=${act.error} />
      <${Button} type="submit" busy=${act.busy} data-testid="incident-send">发布告知<//>
      ${done && html`<p class="notice ok" role="status" data-testid="incident-done">已记录，已通知 ${done.notified} 名用户（应用内通知，离线设备推送）。</p>`}
    </form>
  </section>`;
}
