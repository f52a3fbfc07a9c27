"""bench/web.py - figures of the web client in headless Chromium (run by
bench/web.sh): bytes shipped for the first load (compressed, JS+CSS, against
the 150 KB budget), time to first render, and how many messages per second
one tab renders when 1,000 arrive in a burst. Uses the black-box harness of
tests/e2e (the real binary on a free port, a fresh data directory)."""
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "e2e"))
os.environ.setdefault("WLK_BIN", str(REPO / "build" / "wlk"))

from browserkit import Browser, open_chat_with, sign_in, me_of  # noqa: E402
from conftest import Server, new_phone, ws_connect  # noqa: E402

BUDGET = 150 * 1024
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
BURST = int(os.environ.get("BENCH_BURST", "1000"))


def first_load(srv):
    """One cold load of / in a fresh profile: bytes by type, FCP, app render."""
    b = Browser(srv.url(""))
    try:
        t0 = time.monotonic()
        b.open("/")
        b.css("[data-testid=agree]")
        rendered_wall = (time.monotonic() - t0) * 1000
        res = b.js("""
          const nav = performance.getEntriesByType('navigation')[0];
          const fcp = performance.getEntriesByName('first-contentful-paint')[0];
          const out = {html: nav.encodedBodySize, js: 0, css: 0, other: 0, files: 0,
                       fcp: fcp ? fcp.startTime : null, domready: nav.domContentLoadedEventEnd};
          for (const r of performance.getEntriesByType('resource')) {
            if (!r.name.includes('/assets/')) continue;
            out.files++;
            const k = r.name.endsWith('.js') ? 'js' : r.name.endsWith('.css') ? 'css' : 'other';
            out[k] += r.encodedBodySize;
          }
          return out;""")
        res["rendered_wall_ms"] = rendered_wall
        res["first_screen"] = b.js("""const m = performance.getEntriesByName('wlk:first-screen');
            return m.length ? m[0].startTime : null;""")
        return res
    finally:
        b.quit()


def burst(srv):
    """A tab with the chat open; the peer sends BURST messages as fast as one
    WebSocket takes them. Returns (messages/s from the first to the last
    rendered, messages/s from the start of the burst, ms to render all)."""
    a = Browser(srv.url(""), width=1280)
    try:
        pa, pb = new_phone(), new_phone()
        sign_in(a, srv, pa)
        b_token, j = srv.login(pb, device_id="bench")
        conv = open_chat_with(a, j["user"]["id"])
        a.js("""window.__seen = []; const ol = document.querySelector('[data-testid=messages]');
          new MutationObserver(() => { window.__seen.push([performance.now(), ol.children.length]); })
            .observe(ol, {childList: true});""")
        ws = ws_connect(srv, b_token)
        start = a.js("return performance.now()")
        t0 = time.monotonic()
        for i in range(BURST):
            ws.send(json.dumps({"type": "send", "req_id": i, "conversation_id": conv,
                                "client_id": f"b{i}", "kind": "text", "body": {"text": f"消息 {i}"}}))
        acks = 0
        while acks < BURST:
            f = json.loads(ws.recv())
            acks += f.get("type") == "ack"
        sent_ms = (time.monotonic() - t0) * 1000
        a.wait(lambda: a.js("return document.querySelector('[data-testid=messages]').children.length")
               >= BURST, 60, "every message rendered")
        seen = a.js("return window.__seen")
        ws.close()
        first = next(t for t, n in seen if n >= 1)
        last = next(t for t, n in seen if n >= BURST)
        return BURST / max(last - first, 1) * 1000, BURST / max(last - start, 1) * 1000, last - start, sent_ms
    finally:
        a.quit()


def main():
    base = Path(tempfile.mkdtemp(prefix="wlk-bench-web-"))
    srv = Server(base, ("--sms-interval", "0", "--sms-ip-limit", "100000"))
    srv.start()
    try:
        loads = [first_load(srv) for _ in range(RUNS)]
        l0 = loads[0]
        shipped = l0["js"] + l0["css"]
        print(f"first load (cold cache, {l0['files']} files under /assets/, compressed bytes as sent):")
        print(f"  JS {l0['js'] / 1024:.1f} KB + CSS {l0['css'] / 1024:.1f} KB = "
              f"{shipped / 1024:.1f} KB (budget {BUDGET // 1024} KB: "
              f"{'within' if shipped <= BUDGET else 'OVER'}); HTML {l0['html'] / 1024:.1f} KB")
        fcp = [x["fcp"] for x in loads if x["fcp"] is not None]
        app = [x["first_screen"] for x in loads if x["first_screen"] is not None]
        print(f"time to first render over {RUNS} cold loads (headless Chromium, loopback):")
        if fcp:
            print(f"  first contentful paint: median {statistics.median(fcp):.0f} ms "
                  f"(min {min(fcp):.0f}, max {max(fcp):.0f})")
        if app:
            print(f"  the first screen (policy summary, with the policy fetched) rendered: median "
                  f"{statistics.median(app):.0f} ms (min {min(app):.0f}, max {max(app):.0f})")
        rate, overall, total, sent = burst(srv)
        print(f"burst of {BURST} messages into one open chat tab:")
        print(f"  the server stored and acknowledged them in {sent:.0f} ms")
        print(f"  rendered {rate:.0f} messages/s (first to last shown); all {BURST} shown "
              f"{total:.0f} ms after the burst began ({overall:.0f} messages/s)")
    finally:
        srv.stop()


if __name__ == "__main__":
    main()
