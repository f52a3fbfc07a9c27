// session.js - who is using the app and what they agreed to: the current
// policy, the local memory of the first-visit choice (同意 / 不同意, per
// policy version, so a refusal is never asked again until a new version),
// the signed-in user, and the phase that decides which screen comes first:
//   welcome  first visit: the policy summary, 同意 / 不同意
//   browse   refused: browse-only, nothing collected, no prompt loop
//   login    phone + code
//   update   a material policy update must be accepted before anything else
//   withdrawn the account withdrew the policy: only the way back
//   cancelled the account was just cancelled: its erasure report
//   app      everything else
import { api, onApiError } from "../lib/api.js";
import { createStore } from "../lib/store.js";

const CONSENT_KEY = "wlk.consent";
const SIGNED_IN_KEY = "wlk.signedIn";
const DEVICE_KEY = "wlk.device";

export const session = createStore({ phase: "boot", policy: null, me: null, flash: null });

function readJSON(key) {
  try {
    return JSON.parse(localStorage.getItem(key) || "null");
  } catch (e) {
    return null;
  }
}

/** The person's choice on the first-visit screen, for this policy version. */
export function localChoice(version) {
  const c = readJSON(CONSENT_KEY);
  return c && c.version === version ? c.choice : null;
}

export function rememberChoice(version, choice) {
  localStorage.setItem(CONSENT_KEY, JSON.stringify({ version, choice, at: Date.now() }));
}

/** This browser's device id (random, kept): one session per device. */
export function deviceId() {
  let id = localStorage.getItem(DEVICE_KEY);
  if (!id) {
    id = "web-" + (crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2));
    localStorage.setItem(DEVICE_KEY, id);
  }
  return id;
}

/** A short device name from the browser (shown in 我的设备). */
export function deviceName() {
  const ua = navigator.userAgent;
  const browser = /Edg\//.test(ua)
    ? "Edge"
    : /Firefox\//.test(ua)
    ? "Firefox"
    : /Chrom(e|ium)\//.test(ua)
    ? "Chromium"
    : /Safari\//.test(ua)
    ? "Safari"
    : "浏览器";
  const os = /Android/.test(ua)
    ? "Android"
    : /iPhone|iPad/.test(ua)
    ? "iOS"
    : /Windows/.test(ua)
    ? "Windows"
    : /Mac OS/.test(ua)
    ? "macOS"
    : /Linux/.test(ua)
    ? "Linux"
    : "";
  return `${browser}${os ? " · " + os : ""} 网页版`;
}

/** The phase for a signed-in user record. */
function phaseOf(me) {
  if (me.policy && me.policy.withdrawn) return "withdrawn";
  if (me.policy_notice && me.policy_notice.material) return "update";
  return "app";
}

function signedOutPhase(policy) {
  const choice = localChoice(policy.version);
  return choice === "agree" ? "login" : choice === "refuse" ? "browse" : "welcome";
}

export async function reloadPolicy() {
  const policy = await api("GET", "/v1/privacy/policy");
  session.set({ policy });
  return policy;
}

/** Start: the policy, then the user if this browser signed in before. */
export async function boot() {
  const policy = await reloadPolicy();
  if (localStorage.getItem(SIGNED_IN_KEY)) {
    try {
      const me = await api("GET", "/v1/me");
      return enter(me);
    } catch (e) {
      if (e.status !== 401) throw e;
      localStorage.removeItem(SIGNED_IN_KEY);
    }
  }
  session.set({ phase: signedOutPhase(policy), me: null });
}

/** A signed-in user record arrived (sign-in, reload, profile change). */
export async function enter(me) {
  localStorage.setItem(SIGNED_IN_KEY, "1");
  const notice = me.policy_notice;
  // the person tapped 同意 for exactly this version on this device a
  // moment ago (first-visit screen): record it instead of asking twice
  if (notice && notice.material && localChoice(notice.version) === "agree") {
    await api("PUT", "/v1/me/consents/policy", { version: notice.version });
    me = await api("GET", "/v1/me");
  }
  session.set({ me, phase: phaseOf(me) });
}

export async function refreshMe() {
  const me = await api("GET", "/v1/me");
  session.set({ me, phase: phaseOf(me) });
  return me;
}

/** Accepts the current policy (re-consent after a material update, or the
 * way back after a withdrawal). */
export async function acceptPolicy() {
  const policy = await reloadPolicy();
  await api("PUT", "/v1/me/consents/policy", { version: policy.version });
  rememberChoice(policy.version, "agree");
  return refreshMe();
}

/** Signed out (by the person, or the session died): back to sign-in. */
export function signedOut(flash = null) {
  localStorage.removeItem(SIGNED_IN_KEY);
  const { policy } = session.get();
  session.set({ me: null, report: null, phase: policy ? signedOutPhase(policy) : "welcome", flash });
}

export async function signOut() {
  try {
    await api("POST", "/v1/auth/logout");
  } finally {
    signedOut();
  }
}

// Answers that change what the whole app may show.
onApiError((e) => {
  const { phase } = session.get();
  if (e.status === 401 && e.code === "unauthorized" && !["welcome", "browse", "login", "cancelled"].includes(phase))
    signedOut("登录已失效，请重新登录。");
  else if (e.code === "policy_update_required" || e.code === "policy_withdrawn")
    refreshMe().catch(() => {});
});
