// ui.js - small shared widgets: buttons, labelled fields, notices, the top
// bar, a modal dialog, and time formatting. Every control is a real
// button or input with a label, so the pages work from the keyboard.
import { html, useEffect, useRef, useState } from "./html.js";
import { errorText } from "./errors.js";

let nextId = 0;
/** A stable id for label/aria wiring. */
export function useId(prefix = "f") {
  const ref = useRef(null);
  if (ref.current === null) ref.current = `${prefix}-${++nextId}`;
  return ref.current;
}

export function Button({ kind = "", busy = false, children, type = "button", ...rest }) {
  return html`<button type=${type} class=${`btn ${kind}`} disabled=${busy || rest.disabled}
    aria-busy=${busy ? "true" : undefined} ...${rest}>${children}</button>`;
}

/** A labelled input: <Field label="手机号" value=... onInput=... />. */
export function Field({ label, hint, error, as = "input", children, inputRef, ...input }) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errId = error ? `${id}-err` : undefined;
  const describedby = [hintId, errId].filter(Boolean).join(" ") || undefined;
  const control =
    as === "textarea"
      ? html`<textarea id=${id} aria-describedby=${describedby}
          aria-invalid=${error ? "true" : undefined} ...${input}></textarea>`
      : as === "select"
      ? html`<select id=${id} aria-describedby=${describedby} ...${input}>${children}</select>`
      : html`<input id=${id} ref=${inputRef} aria-describedby=${describedby}
          aria-invalid=${error ? "true" : undefined} ...${input} />`;
  return html`<div class="field">
    <label for=${id}>${label}</label>
    ${control}
    ${hint && html`<div class="hint" id=${hintId}>${hint}</div>`}
    ${error && html`<div class="error" id=${errId} role="alert">${error}</div>`}
  </div>`;
}

/** An error (ApiError or text) shown where it happened. */
export function ErrorNotice({ error, children }) {
  if (!error && !children) return null;
  const text = typeof error === "string" ? error : errorText(error);
  return html`<div class="notice error" role="alert" data-error-code=${error && error.code}>
    ${text}${children}
  </div>`;
}

export function Notice({ kind = "info", children, role }) {
  return html`<div class=${`notice ${kind}`} role=${role}>${children}</div>`;
}

export function TopBar({ title, back, children }) {
  return html`<header class="topbar">
    ${back &&
    html`<button type="button" class="btn link" onClick=${back} aria-label="返回">‹ 返回</button>`}
    <h1>${title}</h1>
    ${children}
  </header>`;
}

/** A modal <dialog>: focus moves into it, Esc closes it (onClose). */
export function Dialog({ title, onClose, children, labelledBy }) {
  const ref = useRef(null);
  const id = useId("dlg");
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
    const cancel = (e) => {
      e.preventDefault();
      onClose && onClose();
    };
    d.addEventListener("cancel", cancel);
    return () => {
      d.removeEventListener("cancel", cancel);
      if (d.open) d.close();
    };
  }, []);
  return html`<dialog ref=${ref} aria-labelledby=${labelledBy || id}>
    ${title && html`<h2 id=${id}>${title}</h2>`}
    ${children}
  </dialog>`;
}

/** Runs an async action with busy and error state for a form. */
export function useAction(fn) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const run = async (...args) => {
    setBusy(true);
    setError(null);
    try {
      return await fn(...args);
    } catch (e) {
      setError(e);
      return undefined;
    } finally {
      setBusy(false);
    }
  };
  return { run, busy, error, setError };
}

const pad = (n) => String(n).padStart(2, "0");

/** "14:05", "昨天 14:05", "12月3日 14:05", "2025年12月3日". */
export function formatTime(ms, now = Date.now()) {
  if (!ms) return "";
  const d = new Date(ms);
  const n = new Date(now);
  const hm = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  if (d.toDateString() === n.toDateString()) return hm;
  const y = new Date(now - 86400000);
  if (d.toDateString() === y.toDateString()) return `昨天 ${hm}`;
  if (d.getFullYear() === n.getFullYear()) return `${d.getMonth() + 1}月${d.getDate()}日 ${hm}`;
  return `${d.getFullYear()}年${d.getMonth() + 1}月${d.getDate()}日`;
}

/** "2026-12-06 14:05" */
export function formatDateTime(ms) {
  if (!ms) return "—";
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(
    d.getMinutes()
  )}`;
}

/** "1:05" from milliseconds. */
export function formatDuration(ms) {
  const s = Math.round((ms || 0) / 1000);
  return `${Math.floor(s / 60)}:${pad(s % 60)}`;
}

/** Saves data as a file download (the export). */
export function download(name, text, type = "application/json") {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
