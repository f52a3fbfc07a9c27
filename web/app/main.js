// main.js - the buyer/consultant app: which screen comes first (session
// phases), the routes of a signed-in user, and the real-time link that
// keeps every view in step with the server.
import { html, render, useEffect } from "../lib/html.js";
import { loadErrors } from "../lib/errors.js";
import { match, navigate, usePath } from "../lib/router.js";
import { useStore } from "../lib/store.js";
import { ErrorNotice } from "../lib/ui.js";
import { boot, refreshMe, session } from "./session.js";
import * as rt from "./realtime.js";
import * as chat from "./chat.js";
import { Welcome, Browse } from "./pages/welcome.js";
import { PolicyPage } from "./pages/policy.js";
import { Login } from "./pages/login.js";
import { PolicyUpdate, Withdrawn } from "./pages/gates.js";
import { Conversations, NewChat, OpenWith } from "./pages/conversations.js";
import { ChatView } from "./pages/chat.js";
import { CallOverlay } from "./pages/call.js";
import { MePages } from "./pages/me.js";
import { ConsultantCard } from "./pages/card.js";
import { ErasureReport } from "./pages/rights.js";
import { Development, Homes } from "./pages/homes.js";

/** Starts the link for a signed-in user; events that arrive while the
 * conversations load are held and applied after (idempotently). */
function useRealtime(me) {
  useEffect(() => {
    if (!me) return undefined;
    chat.setMe(me);
    let held = [];
    const load = () => {
      held = held || [];
      chat.loadAll().then(
        () => {
          const evs = held;
          held = null;
          evs.forEach(chat.applyEvent);
        },
        () => {
          held = null;
        }
      );
    };
    rt.start({
      hello: (first) => first && load(),
      event: (ev) => (held ? held.push(ev) : chat.applyEvent(ev)),
      resync: () => {
        chat.reset();
        held = [];
      },
      failed: () => refreshMe().catch(() => {}),
    });
    return () => rt.stop();
  }, [me && me.id]);
}

function SignedIn({ me, path }) {
  useRealtime(me);
  const back = () => (history.length > 1 ? history.back() : navigate("/"));
  let page;
  let m;
  if ((m = match("/chat/:id", path))) page = html`<${ChatView} id=${m.id} key=${m.id} />`;
  else if ((m = match("/u/:id", path))) page = html`<${OpenWith} peerId=${m.id} />`;
  else if (path === "/new") page = html`<${NewChat} />`;
  else if (path === "/homes") page = html`<${Homes} signedIn=${true} />`;
  else if ((m = match("/homes/:id", path))) page = html`<${Development} id=${m.id} key=${m.id} signedIn=${true} />`;
  else if ((m = match("/consultants/:id", path))) page = html`<${ConsultantCard} id=${m.id} key=${m.id} signedIn=${true} />`;
  else if (path === "/policy") page = html`<${PolicyPage} back=${back} />`;
  else if ((m = match("/policy/:v", path))) page = html`<${PolicyPage} version=${m.v} back=${back} />`;
  else if (path.startsWith("/me")) page = html`<${MePages} me=${me} path=${path} />`;
  else page = html`<${Conversations} me=${me} />`;
  return html`${page}<${CallOverlay} /><${LinkBanner} />`;
}

function LinkBanner() {
  const link = useStore(rt.link);
  if (link.status !== "offline" && link.status !== "reconnecting") return null;
  return html`<div class="link-banner" role="status" data-testid="offline">连接已断开，正在重新连接…</div>`;
}

let marked = false;

function App() {
  const s = useStore(session);
  const path = usePath();
  useEffect(() => {
    // User Timing for bench/web.sh: when the first real screen is on the page
    if (s.phase !== "boot" && !marked) {
      marked = true;
      performance.mark("wlk:first-screen");
    }
  }, [s.phase]);
  const back = () => (history.length > 1 ? history.back() : navigate("/"));
  if (s.phase === "boot") return html`<p class="boot">正在加载…</p>`;
  if (s.phase === "error") return html`<main class="page"><${ErrorNotice} error=${s.error} /></main>`;
  const m = match("/policy/:v", path);
  if (path === "/policy" || m) return html`<${PolicyPage} version=${m && m.v} back=${back} />`;
  switch (s.phase) {
    case "welcome":
      return html`<${Welcome} policy=${s.policy} />`;
    case "browse": {
      // browsing the catalogue sends nothing personal: open without consent
      const d = match("/homes/:id", path);
      if (d) return html`<${Development} id=${d.id} key=${d.id} signedIn=${false} />`;
      if (path === "/homes") return html`<${Homes} signedIn=${false} />`;
      const c = match("/consultants/:id", path);
      if (c) return html`<${ConsultantCard} id=${c.id} key=${c.id} signedIn=${false} />`;
      return html`<${Browse} policy=${s.policy} />`;
    }
    case "login":
      return html`<${Login} policy=${s.policy} flash=${s.flash} />`;
    case "update":
      return html`<${PolicyUpdate} me=${s.me} />`;
    case "withdrawn":
      return html`<${Withdrawn} me=${s.me} />`;
    case "cancelled":
      return html`<${ErasureReport} report=${s.report} />`;
    default:
      return html`<${SignedIn} me=${s.me} path=${path} />`;
  }
}

render(html`<${App} />`, document.getElementById("root"));
boot().catch((error) => session.set({ phase: "error", error }));
loadErrors();
