"""Firefox for the web client's cross-browser check: Debian's firefox-esr,
headless, driven over WebDriver BiDi (Firefox's own remote protocol, a
WebSocket on loopback) with python3-websocket. Debian ships no geckodriver,
so Selenium cannot drive Firefox here; this small client covers what the
check needs: navigate, evaluate a script, and the console log."""
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time

import websocket

FIREFOX = "/usr/bin/firefox-esr"


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Firefox:
    def __init__(self, base_url):
        self.base_url = base_url
        self.profile = tempfile.mkdtemp(prefix="wlk-firefox-")
        port = _free_port()
        env = dict(os.environ, MOZ_HEADLESS="1")
        self.proc = subprocess.Popen(
            [FIREFOX, "--headless", "--no-remote", "--profile", self.profile,
             "--remote-debugging-port", str(port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        deadline = time.monotonic() + 60
        while True:
            try:
                self.ws = websocket.create_connection(
                    f"ws://127.0.0.1:{port}/session", timeout=30, suppress_origin=True,
                    http_no_proxy=["127.0.0.1"])
                break
            except (OSError, websocket.WebSocketException):
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    self.quit()
                    raise AssertionError("firefox did not open its remote protocol")
                time.sleep(0.2)
        self.n = 0
        self.log = []
        self.call("session.new", {"capabilities": {}})
        self.call("session.subscribe", {"events": ["log.entryAdded"]})
        self.ctx = self.call("browsingContext.getTree", {})["contexts"][0]["context"]

    def call(self, method, params):
        self.n += 1
        self.ws.send(json.dumps({"id": self.n, "method": method, "params": params}))
        while True:
            m = json.loads(self.ws.recv())
            if m.get("method") == "log.entryAdded":
                self.log.append(m["params"])
            elif m.get("id") == self.n:
                if m.get("type") == "error":
                    raise AssertionError(f"{method}: {m.get('error')} {m.get('message')}")
                return m["result"]

    def open(self, path):
        self.call("browsingContext.navigate",
                  {"context": self.ctx, "url": self.base_url + path, "wait": "complete"})

    def js(self, expression):
        """The value of a JavaScript expression in the page (promises awaited)."""
        r = self.call("script.evaluate", {"expression": expression, "awaitPromise": True,
                                          "target": {"context": self.ctx}})
        if r.get("type") == "exception":
            raise AssertionError(f"{expression}: {r['exceptionDetails'].get('text')}")
        return r["result"].get("value")

    def wait(self, expression, timeout=30.0, what=None):
        """expression until truthy (returned). The bound is generous: Firefox
        shares two cores with two sanitizer-built suites in `make test`. A
        timeout says where the page was and what it showed."""
        deadline = time.monotonic() + timeout
        while True:
            v = self.js(expression)
            if v:
                return v
            if time.monotonic() > deadline:
                where = self.js("location.pathname + ' | ' + "
                                "(document.body ? document.body.innerText : '').slice(0, 400)")
                raise AssertionError(f"timed out after {timeout}s waiting for "
                                     f"{what or expression}; page: {where!r}; "
                                     f"console: {self.log[-5:]!r}")
            time.sleep(0.1)

    def errors(self):
        return [e for e in self.log if e.get("level") == "error"]

    def quit(self):
        try:
            if getattr(self, "ws", None):
                self.ws.close()
        finally:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
            shutil.rmtree(self.profile, ignore_errors=True)
