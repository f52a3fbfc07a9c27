// policy.js - the full policy as published (rendered by the server from
// the data map), and its archive of earlier versions (九).
import { html, useEffect, useState } from "../../lib/html.js";
import { api } from "../../lib/api.js";
import { ErrorNotice, TopBar, formatDateTime } from "../../lib/ui.js";

export function PolicyPage({ version, back }) {
  const [doc, setDoc] = useState(null);
  const [versions, setVersions] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    setDoc(null);
    const path = version ? `/v1/privacy/policy/${encodeURIComponent(version)}` : "/v1/privacy/policy";
    api("GET", path).then(setDoc, setError);
    api("GET", "/v1/privacy/policy/versions").then((j) => setVersions(j.items), () => {});
  }, [version]);
  return html`<div>
    <${TopBar} title="隐私政策" back=${back} />
    <main class="page">
      <${ErrorNotice} error=${error} />
      ${doc &&
      html`<article class="card" aria-label="隐私政策全文">
        <p class="muted small">版本 ${doc.version} · 发布于 ${formatDateTime(doc.published_at)}
          ${doc.note && ` · ${doc.note}`}</p>
        <pre class="text" data-testid="policy-text">${doc.text}</pre>
      </article>`}
      ${versions &&
      versions.length > 1 &&
      html`<section class="card" aria-labelledby="archive-h">
        <h2 id="archive-h">历史版本</h2>
        <ul class="list">
          ${versions.map(
            (v) => html`<li key=${v.version}>
              <a class="list-item" href=${`/policy/${v.version}`}>
                <span class="grow">${formatDateTime(v.published_at)} · ${v.version}</span>
                ${v.material && html`<span class="tag warn">重要变更</span>`}
              </a>
            </li>`
          )}
        </ul>
      </section>`}
    </main>
  </div>`;
}
