"""Browser tests of the web client (issue 10): Debian's Chromium, headless,
driven by Selenium (Debian's python3-selenium) from pytest, against the real
`wlk` binary like every other black-box test.

Why Selenium rather than playwright-core: everything comes from Debian (no
npm at test time, no second test runner), it plugs into the pytest fixtures
and helpers the suite already has, and Chromium's DevTools protocol is at
hand through it for what WebDriver lacks (viewport, geolocation, network).

Each `browser()` is a separate Chromium with its own profile (a second
device); `tab()` opens another tab of the same one (same cookies). On a
failed test every browser saves a screenshot and its console log under
build/test-artifacts/<test>/. axe-core (npm, fetched by scripts/vendor.sh)
is injected into the page to check accessibility.
"""
import json
import os
import re
import shutil
import tempfile
import time
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import (JavascriptException, NoSuchElementException,
                                        StaleElementReferenceException, TimeoutException,
                                        WebDriverException)
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from conftest import REPO

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
AXE = REPO / "build" / "vendor" / "test" / "axe.min.js"
ARTIFACTS = REPO / "build" / "test-artifacts"
WAIT = 10.0
PHONE_W, PHONE_H = 390, 844
FLAGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
    "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-default-apps", "--disable-extensions", "--mute-audio",
    "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
    "--allow-loopback-in-peer-connection", "--autoplay-policy=no-user-gesture-required",
    "--disable-features=WebRtcHideLocalIpsWithMdns,Translate,MediaRouter",
    "--lang=zh-CN", "--window-size=1280,900",
]


class Browser:
    """One Chromium (one profile: one device) with helpers for our pages."""

    def __init__(self, base_url, width=PHONE_W, height=PHONE_H):
        self.base_url = base_url
        self.profile = tempfile.mkdtemp(prefix="wlk-chromium-")
        opts = webdriver.ChromeOptions()
        opts.binary_location = CHROMIUM
        for f in FLAGS:
            opts.add_argument(f)
        opts.add_argument(f"--user-data-dir={self.profile}")
        opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.d = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
        self.d.set_script_timeout(30)
        self.console = []
        self.resize(width, height)

    # ----------------------------------------------------------- browser
    def resize(self, width, height=PHONE_H):
        self.width = width
        self.d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600})

    def open(self, path="/"):
        self.d.get(self.base_url + path)
        return self

    def new_tab(self, path="/"):
        """Another tab of this browser (same profile, same cookies)."""
        self.d.switch_to.new_window("tab")
        self.resize(self.width)
        self.open(path)
        return self.d.current_window_handle

    def switch(self, handle):
        self.d.switch_to.window(handle)

    def js(self, script, *args):
        return self.d.execute_script(script, *args)

    def js_async(self, script, *args):
        return self.d.execute_async_script(script, *args)

    def grant_geolocation(self, lat, lng):
        origin = re.match(r"https?://[^/]+", self.base_url).group(0)
        self.d.execute_cdp_cmd("Browser.grantPermissions",
                               {"origin": origin, "permissions": ["geolocation"]})
        self.d.execute_cdp_cmd("Emulation.setGeolocationOverride",
                               {"latitude": lat, "longitude": lng, "accuracy": 10})

    def quit(self):
        try:
            self.d.quit()
        finally:
            shutil.rmtree(self.profile, ignore_errors=True)

    # ---------------------------------------------------------- elements
    def all(self, css):
        return self.d.find_elements(By.CSS_SELECTOR, css)

    def find(self, css):
        return self.d.find_element(By.CSS_SELECTOR, css)

    def wait(self, fn, timeout=WAIT, what="condition"):
        """fn() until truthy (returned); fails with what."""
        try:
            return WebDriverWait(self.d, timeout, poll_frequency=0.05, ignored_exceptions=(
                NoSuchElementException, StaleElementReferenceException)).until(lambda _: fn())
        except TimeoutException:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}") from None

    def css(self, css, timeout=WAIT):
        """The first element matching css once it is displayed."""
        def visible():
            for e in self.all(css):
                if e.is_displayed():
                    return e
            return None
        return self.wait(visible, timeout, f"{css!r} to be displayed")

    def present(self, css, timeout=WAIT):
        """The first element matching css once it is in the page (shown or not:
        file inputs are hidden behind their buttons)."""
        return self.wait(lambda: (self.all(css) or [None])[0], timeout, f"{css!r} in the page")

    def button(self, text, timeout=WAIT, within="body"):
        """A displayed, enabled button whose text contains text."""
        def find():
            for e in self.all(f"{within} button"):
                if text in e.text and e.is_displayed() and e.is_enabled():
                    return e
            return None
        return self.wait(find, timeout, f"button {text!r}")

    def click(self, css):
        self.css(css).click()

    def type(self, css, text, clear=True):
        e = self.css(css)
        if clear:
            e.clear()
        e.send_keys(text)
        return e

    def text(self, css="body"):
        return self.css(css).text

    def wait_text(self, needle, css="body", timeout=WAIT):
        return self.wait(lambda: needle in self.find(css).text, timeout,
                         f"{needle!r} in {css!r}")

    def no_text(self, needle, css="body", timeout=WAIT):
        return self.wait(lambda: needle not in self.find(css).text, timeout,
                         f"{needle!r} gone from {css!r}")

    def path(self):
        return self.js("return location.pathname")

    # ----------------------------------------------------------- quality
    def drain_console(self):
        try:
            self.console += self.d.get_log("browser")
        except WebDriverException:
            pass
        return self.console

    def console_errors(self, allow=()):
        """Console entries at level SEVERE, except network errors whose
        message matches one of the allow regexes (answers a test asked
        for, such as a 401 for a wrong code)."""
        out = []
        for e in self.drain_console():
            if e.get("level") != "SEVERE":
                continue
            if e.get("source") == "network" and any(re.search(a, e["message"]) for a in allow):
                continue
            out.append(e)
        return out

    def assert_console_clean(self, allow=()):
        errs = self.console_errors(allow)
        assert not errs, "console errors:\n" + "\n".join(e["message"] for e in errs)

    def axe(self):
        """Serious and critical axe-core violations of the current page."""
        if not self.js("return typeof window.axe === 'object'"):
            self.js(AXE.read_text())
        res = self.js_async("""
            const done = arguments[arguments.length - 1];
            axe.run(document, {resultTypes: ['violations']})
               .then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                   nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))))
               .catch(e => done([{id: 'axe-error', impact: 'critical', help: String(e), nodes: []}]));
        """)
        return [v for v in res if v["impact"] in ("serious", "critical")]

    def assert_accessible(self):
        bad = self.axe()
        assert not bad, "axe violations:\n" + json.dumps(bad, ensure_ascii=False, indent=1)

    def save_artifacts(self, folder, name):
        folder.mkdir(parents=True, exist_ok=True)
        try:
            self.d.save_screenshot(str(folder / f"{name}.png"))
        except WebDriverException:
            pass
        (folder / f"{name}.console.json").write_text(
            json.dumps(self.drain_console(), ensure_ascii=False, indent=1))


@pytest.fixture
def browser(request):
    """Factory: browser(server, width=390) -> a fresh Chromium on the
    server's origin. All are closed at teardown; on failure each saves a
    screenshot and its console log under build/test-artifacts/."""
    made = []

    def make(srv, width=PHONE_W, base_url=None):
        b = Browser(base_url or srv.url(""), width=width)
        made.append(b)
        return b

    yield make
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    folder = ARTIFACTS / re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)
    for i, b in enumerate(made):
        if failed:
            b.save_artifacts(folder, f"browser{i + 1}")
        b.quit()


# ------------------------------------------------------------ app flows

def agree_policy(b):
    """The first-visit screen: 同意."""
    b.click("[data-testid=agree]")
    b.css("input[name=phone]")


def sign_in(b, srv, phone, first_visit=True):
    """Sign a phone in through the pages, as a person would. Returns when
    the conversation list shows."""
    b.open("/")
    if first_visit:
        agree_policy(b)
    else:
        b.css("input[name=phone]")
    before = len(srv.sms_lines(phone))
    b.type("input[name=phone]", phone)
    b.click("[data-testid=send-code]")
    code = srv.read_sms(phone, min_count=before + 1)
    b.type("input[name=code]", code)
    b.click("[data-testid=login]")
    b.css("[data-testid=new-chat]")
    return code


def open_chat_with(b, peer_id):
    """Opens the conversation with a user by 微聊号 (the /u/<id> link)."""
    b.open(f"/u/{peer_id}")
    b.wait(lambda: b.path().startswith("/chat/"), what="the chat view")
    b.css("[data-testid=composer]")
    return b.path().split("/")[-1]


def type_and_send(b, text):
    b.type("[data-testid=composer]", text)
    b.click("[data-testid=send]")


def message_states(b):
    """[(text, state)] of the messages shown, in order."""
    return b.js("""return [...document.querySelectorAll('[data-testid=messages] > li')]
        .map(li => [li.querySelector('.bubble').innerText, li.dataset.state]);""")


def me_of(b):
    """The signed-in user as the page's session sees it (GET /v1/me)."""
    return b.js_async("""const done = arguments[0];
        fetch('/v1/me').then(r => r.json()).then(done, e => done(null));""")


class Person:
    """Someone signed in through the pages: their browser, phone, user id,
    and a bearer token of a second device (for setting up data over the API)."""

    def __init__(self, b, srv, phone):
        self.b, self.srv, self.phone = b, srv, phone
        self.id = me_of(b)["id"]
        self._token = None

    @property
    def token(self):
        if self._token is None:
            self._token, _ = self.srv.login(self.phone, device_id="api-device", accept=False)
        return self._token


def person(browser, srv, width=PHONE_W, base_url=None):
    from conftest import new_phone
    b = browser(srv, width=width, base_url=base_url)
    phone = new_phone()
    sign_in(b, srv, phone)
    return Person(b, srv, phone)


def bubbles(b):
    """The messages shown: [{"id","client","state","kind","text"}], in order."""
    return b.js("""return [...document.querySelectorAll('[data-testid=messages] > li')].map(li => ({
        id: li.dataset.msgId, client: li.dataset.clientId, state: li.dataset.state,
        kind: li.dataset.kind, text: li.querySelector('.bubble').innerText}));""")


def bubble_texts(b):
    return [m["text"] for m in bubbles(b)]
