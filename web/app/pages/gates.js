// gates.js - screens that come before everything else: a material policy
// update to accept (九, R4), and the way back for an account that withdrew
// its consent to the policy (七.三). Nothing else is shown until they are
// answered; signing out is always possible.
import { html, useEffect, useState } from "../../lib/html.js";
import { api } from "../../lib/api.js";
import { Button, ErrorNotice, TopBar, formatDateTime, useAction } from "../../lib/ui.js";
import { Link } from "../../lib/router.js";
import { acceptPolicy, session, signOut } from "../session.js";

export function PolicyUpdate({ me }) {
  const notice = me.policy_notice || {};
  const act = useAction(acceptPolicy);
  const [doc, setDoc] = useState(null);
  useEffect(() => {
    api("GET", "/v1/privacy/policy").then(setDoc, () => {});
  }, []);
  return html`<div>
    <${TopBar} title="隐私政策已更新" />
    <main class="page">
      <section class="card" aria-labelledby="upd-h" data-testid="policy-update">
        <h1 id="upd-h">我们更新了《微聊客隐私政策》</h1>
        <p>本次更新包含重要变更，请阅读并同意后继续使用。</p>
        <p class="muted small">版本 ${notice.version} · 发布于 ${formatDateTime(notice.published_at)}</p>
        ${notice.note && html`<p><strong>更新说明：</strong>${notice.note}</p>`}
        <p><${Link} href="/policy">阅读更新后的全文<//></p>
        ${doc && html`<details><summary>在此展开全文</summary><pre class="text">${doc.text}</pre></details>`}
        <${ErrorNotice} error=${act.error} />
        <div class="row end">
          <${Button} kind="secondary" onClick=${signOut}>不同意并退出登录<//>
          <${Button} onClick=${() => act.run()} busy=${act.busy} data-testid="accept-update">同意并继续<//>
        </div>
        <p class="muted small">如不同意，您可以退出登录，或在「我的—隐私与权利」中导出信息、注销账号。</p>
      </section>
    </main>
  </div>`;
}

export function Withdrawn({ me }) {
  const act = useAction(acceptPolicy);
  const { policy } = session.get();
  return html`<div>
    <${TopBar} title="已撤回同意" />
    <main class="page">
      <section class="card" aria-labelledby="wd-h" data-testid="withdrawn">
        <h1 id="wd-h">您已撤回对隐私政策的同意</h1>
        <p>撤回后我们不再为您提供微聊等服务，也不再处理您的相关个人信息（法律要求保存的记录除外）。
          如需恢复使用，请重新阅读并同意当前的隐私政策。</p>
        <p><${Link} href="/policy">阅读当前隐私政策<//>
          ${policy && html`<span class="muted small"> (版本 ${policy.version})</span>`}</p>
        <${ErrorNotice} error=${act.error} />
        <div class="row end">
          <${Button} kind="secondary" onClick=${signOut}>退出登录<//>
          <${Button} onClick=${() => act.run()} busy=${act.busy} data-testid="restore">同意并恢复使用<//>
        </div>
        <p class="muted small">账号 ${me.phone_masked}</p>
      </section>
    </main>
  </div>`;
}
