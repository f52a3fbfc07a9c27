// welcome.js - the first visit: a short policy summary with the full text
// one tap away, 同意 / 不同意. 不同意 leaves the person browsing with nothing
// collected, and the choice is remembered: no loop of prompts (R6).
import { html, useState } from "../../lib/html.js";
import { Button, TopBar } from "../../lib/ui.js";
import { PolicySummary } from "../../lib/policy.js";
import { Link, navigate } from "../../lib/router.js";
import { rememberChoice, session } from "../session.js";

export function Welcome({ policy }) {
  const agree = () => {
    rememberChoice(policy.version, "agree");
    session.set({ phase: "login" });
    navigate("/login", { replace: true });
  };
  const refuse = () => {
    rememberChoice(policy.version, "refuse");
    session.set({ phase: "browse" });
    navigate("/", { replace: true });
  };
  return html`<main class="page" aria-labelledby="welcome-title">
    <div class="card">
      <h1 id="welcome-title">欢迎使用微聊客</h1>
      <p>在使用前，请阅读《微聊客隐私政策》的要点：</p>
      <${PolicySummary} policy=${policy} />
      <p class="muted small">版本 ${policy.version}</p>
      <div class="row between consent-actions">
        <${Link} href="/policy">阅读全文<//>
        <div class="row">
          <${Button} kind="secondary" onClick=${refuse} data-testid="refuse">不同意<//>
          <${Button} onClick=${agree} data-testid="agree">同意<//>
        </div>
      </div>
    </div>
  </main>`;
}

/** Browse-only: nothing personal is collected; the person may change
 * their mind, but is never asked again unprompted. */
export function Browse({ policy }) {
  const [reading, setReading] = useState(false);
  if (reading) return html`<${Welcome} policy=${policy} />`;
  return html`<div>
    <${TopBar} title="微聊客 · 浏览模式" />
    <main class="page">
      <div class="notice info" role="status" data-testid="browse-only">
        您未同意隐私政策，当前为浏览模式：我们不会收集您的个人信息，您也无法登录、微聊。
      </div>
      <div class="card">
        <h2>微聊客是什么</h2>
        <p>置业顾问与购房客户的沟通平台：认证过的置业顾问为您介绍楼盘、答疑，并在微聊中与您实时沟通、预约看房。</p>
        <p>您可以随时阅读隐私政策；同意后即可用手机号登录。</p>
        <div class="row">
          <${Button} kind="secondary" onClick=${() => navigate("/homes")} data-testid="browse-homes">浏览楼盘<//>
          <${Button} kind="secondary" onClick=${() => navigate("/policy")}>阅读隐私政策<//>
          <${Button} onClick=${() => setReading(true)} data-testid="reconsider">我想登录<//>
        </div>
      </div>
    </main>
  </div>`;
}
