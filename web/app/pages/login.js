// login.js - sign in (and sign up) with phone and SMS code. The code
// button counts down (60 s, or the server's Retry-After after a 429);
// wrong, expired and exhausted codes are told apart with the error
// table's words; a new account accepts the version agreed to on the
// first-visit screen.
import { html, useEffect, useRef, useState } from "../../lib/html.js";
import { api } from "../../lib/api.js";
import { Button, ErrorNotice, Field, TopBar } from "../../lib/ui.js";
import { navigate } from "../../lib/router.js";
import { deviceId, deviceName, enter, localChoice, reloadPolicy, session } from "../session.js";

const PHONE_RE = /^(\+?86[\s-]?)?1[3-9]\d([\s-]?\d){8}$/;

function useCountdown() {
  const [left, setLeft] = useState(0);
  const timer = useRef(null);
  useEffect(() => () => clearInterval(timer.current), []);
  const start = (seconds) => {
    clearInterval(timer.current);
    setLeft(seconds);
    timer.current = setInterval(() => {
      setLeft((n) => {
        if (n <= 1) clearInterval(timer.current);
        return n - 1;
      });
    }, 1000);
  };
  return [left, start];
}

export function Login({ policy, flash }) {
  const [phone, setPhone] = useState("");
  const [code, setCode] = useState("");
  const [phoneError, setPhoneError] = useState(null);
  const [error, setError] = useState(null);
  const [sent, setSent] = useState(0); /* the code's lifetime in seconds, once sent */
  const [busy, setBusy] = useState(false);
  const [left, startCountdown] = useCountdown();
  const codeRef = useRef(null);

  const checkPhone = () => {
    if (!PHONE_RE.test(phone.trim())) {
      setPhoneError("请输入正确的 11 位手机号。");
      return false;
    }
    setPhoneError(null);
    return true;
  };

  const sendCode = async () => {
    setError(null);
    if (!checkPhone()) return;
    setBusy(true);
    try {
      const r = await api("POST", "/v1/auth/sms-code", { phone: phone.trim() });
      setSent(r.expires_in || 300);
      startCountdown(60);
      codeRef.current && codeRef.current.focus();
      return r;
    } catch (e) {
      if (e.code === "validation_failed" && e.field === "phone") setPhoneError("请输入正确的 11 位手机号。");
      else setError(e);
      if (e.retryAfter) startCountdown(e.retryAfter);
    } finally {
      setBusy(false);
    }
  };

  const login = async (ev) => {
    ev.preventDefault();
    setError(null);
    if (!checkPhone()) return;
    if (!/^\d{6}$/.test(code.trim())) {
      setError("请输入短信中的 6 位验证码。");
      return;
    }
    setBusy(true);
    try {
      const version = localChoice(policy.version) === "agree" ? policy.version : undefined;
      const body = {
        phone: phone.trim(),
        code: code.trim(),
        device: { id: deviceId(), name: deviceName(), platform: "web" },
        cookie: true,
      };
      if (version) body.accept_policy_version = version;
      const r = await api("POST", "/v1/auth/login", body);
      await enter(r.user);
      navigate("/", { replace: true });
    } catch (e) {
      if (e.code === "consent_required") {
        // the policy changed since the person agreed: show the new version
        await reloadPolicy();
        session.set({ phase: "welcome" });
        return;
      }
      if (e.code === "too_many_attempts") setCode("");
      setError(e);
      if (e.retryAfter) startCountdown(e.retryAfter);
    } finally {
      setBusy(false);
    }
  };

  const codeLabel = left > 0 ? `${left} 秒后可重新获取` : sent ? "重新获取验证码" : "获取验证码";
  return html`<div>
    <${TopBar} title="登录微聊客" />
    <main class="page">
      ${flash && html`<div class="notice warn" role="status">${flash}</div>`}
      <form class="card" onSubmit=${login} noValidate aria-labelledby="login-title">
        <h1 id="login-title">手机号登录</h1>
        <p class="muted small">未注册的手机号验证后将自动创建账号。</p>
        <${Field} label="手机号" type="tel" inputmode="tel" autocomplete="tel" name="phone"
          value=${phone} onInput=${(e) => setPhone(e.currentTarget.value)} error=${phoneError}
          placeholder="例如 138 0013 8000" />
        <div class="row">
          <div class="grow">
            <${Field} label="验证码" inputmode="numeric" autocomplete="one-time-code" name="code"
              maxlength="6" value=${code} onInput=${(e) => setCode(e.currentTarget.value)}
              inputRef=${codeRef} />
          </div>
          <${Button} kind="secondary" onClick=${sendCode} disabled=${left > 0} busy=${busy && !sent}
            data-testid="send-code">${codeLabel}<//>
        </div>
        ${sent > 0 && !error && html`<p class="muted small" role="status" data-testid="code-sent">
          验证码已发送，${Math.round(sent / 60)} 分钟内有效。</p>`}
        <${ErrorNotice} error=${error} />
        <${Button} type="submit" kind="block" busy=${busy} data-testid="login">登录<//>
        <p class="muted small">登录即表示您同意《微聊客隐私政策》(版本 ${policy.version})。</p>
      </form>
    </main>
  </div>`;
}
