// router.js - client-side routes on the History API. The server answers
// every route with the same page (src/http/assets.c), so a reload or a
// shared link opens the same view.
import { html, useEffect, useState } from "./html.js";

const subs = new Set();

export function navigate(path, { replace = false } = {}) {
  if (path === location.pathname + location.search) return;
  history[replace ? "replaceState" : "pushState"](null, "", path);
  for (const fn of subs) fn(location.pathname);
  window.scrollTo(0, 0);
}

addEventListener("popstate", () => {
  for (const fn of subs) fn(location.pathname);
});

/** The current path, re-rendering on navigation. */
export function usePath() {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    subs.add(setPath);
    return () => subs.delete(setPath);
  }, []);
  return path;
}

/** Matches "/chat/:id" against path: {id} or null. */
export function match(pattern, path) {
  const p = pattern.split("/");
  const s = path.replace(/\/$/, "").split("/");
  if (p.length !== s.length) return null;
  const params = {};
  for (let i = 0; i < p.length; i++) {
    if (p[i].startsWith(":")) params[p[i].slice(1)] = decodeURIComponent(s[i]);
    else if (p[i] !== s[i]) return null;
  }
  return params;
}

/** A link that navigates without reloading the page. */
export function Link({ href, children, ...rest }) {
  const onClick = (e) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
    e.preventDefault();
    navigate(href);
  };
  return html`<a href=${href} onClick=${onClick} ...${rest}>${children}</a>`;
}
