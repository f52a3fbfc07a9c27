"""Black-box test harness for wlk: starts the real binary on 127.0.0.1 with a
fresh data directory and talks HTTP to it as a client would.

The binary comes from $WLK_BIN (default: <repo>/build/wlk). Every server the
fixtures start is stopped with SIGTERM at teardown; it must exit 0 and its
stderr must hold no sanitizer report.
"""
import itertools
import json
import os
import random
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests

REPO = Path(__file__).resolve().parents[2]
WLK_BIN = os.environ.get("WLK_BIN", str(REPO / "build" / "wlk"))

READY_TIMEOUT = 10.0
STOP_TIMEOUT = 10.0
HTTP_TIMEOUT = 10.0
SANITIZER_MARKERS = ("AddressSanitizer", "LeakSanitizer", "runtime error")

# A shared server: many tests, one process. Interval 0 lets a test sign the
# same phone in twice without waiting; the IP limit is raised because every
# request comes from 127.0.0.1.
SHARED_FLAGS = ("--sms-interval", "0", "--sms-ip-limit", "100000")


# ---------------------------------------------------------------- helpers

_used_phones = set()
_rng = random.Random()


def new_phone():
    """A mainland mobile number (11 digits, 1[3-9]...) not used before in
    this test run. Random digits, so a grep for them cannot hit by chance."""
    while True:
        p = "1" + _rng.choice("3456789") + "".join(_rng.choice("0123456789") for _ in range(9))
        if p not in _used_phones and len(set(p[2:])) > 3:
            _used_phones.add(p)
            return p


def phone_digits(phone):
    """The 11 national digits of a phone written in any accepted form."""
    d = re.sub(r"\D", "", phone)
    if len(d) == 13 and d.startswith("86"):
        d = d[2:]
    assert len(d) == 11, phone
    return d


def masked(phone):
    d = phone_digits(phone)
    return d[:3] + "****" + d[-4:]


def dashed(phone):
    """`+86 138-1234-5678`"""
    d = phone_digits(phone)
    return f"+86 {d[:3]}-{d[3:7]}-{d[7:]}"


def wrong_code(code):
    return "%06d" % ((int(code) + 1) % 1000000)


def error_of(r):
    """The `error` object of an error response (asserting its shape)."""
    ctype = r.headers.get("Content-Type", "")
    assert "json" in ctype, f"error response is not JSON: {ctype!r} {r.content[:200]!r}"
    body = r.json()
    assert isinstance(body, dict) and isinstance(body.get("error"), dict), body
    err = body["error"]
    assert isinstance(err.get("code"), str) and err["code"], body
    assert isinstance(err.get("message"), str), body
    return err


def assert_error(r, status, code, field=None):
    """Assert status, error.code, field (when given) and that
    error.request_id equals the X-Request-Id header. Returns the error."""
    assert r.status_code == status, (
        f"{r.request.method} {r.request.path_url}: want {status} {code}, "
        f"got {r.status_code} {r.content[:300]!r}"
    )
    err = error_of(r)
    assert err["code"] == code, err
    rid = r.headers.get("X-Request-Id")
    assert rid and err.get("request_id") == rid, (rid, err)
    if field is not None:
        assert err.get("field") == field, err
    return err


def error_extra(r, key):
    """An extra key of an error (consent_required's scope/version). The
    contract shows extra keys next to code/message; accept the top level
    too."""
    body = r.json()
    if key in body["error"]:
        return body["error"][key]
    return body.get(key)


def retry_after(r):
    """The Retry-After header as a positive integer (asserted)."""
    v = r.headers.get("Retry-After")
    assert v is not None, f"429 without Retry-After: {dict(r.headers)}"
    assert re.fullmatch(r"[0-9]+", v.strip()), v
    n = int(v)
    assert n >= 1, v
    return n


def allow_set(r):
    v = r.headers.get("Allow")
    assert v, f"405 without Allow: {dict(r.headers)}"
    return {m.strip() for m in v.split(",") if m.strip()}


def healthy(srv):
    """The server still answers /healthz (used after every bad-input case)."""
    r = srv.get("/healthz")
    assert r.status_code == 200 and r.json() == {"status": "ok"}
    assert srv.proc.poll() is None, "server died"


def parse_metrics(text):
    """[(name, {label: value}, float)] from the Prometheus text format."""
    out = []
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = re.match(r"([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)", line)
        assert m, f"bad metrics line {line!r}"
        labels = dict(re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"', m.group(3) or ""))
        out.append((m.group(1), labels, float(m.group(4))))
    return out


def _check_response(r, *args, **kwargs):
    """Session hook: every response carries X-Request-Id; every error body
    echoes it."""
    rid = r.headers.get("X-Request-Id")
    assert rid, f"{r.request.method} {r.request.path_url} -> {r.status_code} has no X-Request-Id"
    if r.status_code >= 400 and r.request.method != "HEAD":
        err = error_of(r)
        assert err.get("request_id") == rid, (rid, err)
    return r


class _Session(requests.Session):
    def __init__(self):
        super().__init__()
        self.trust_env = False  # never route 127.0.0.1 through a proxy
        self.hooks["response"].append(_check_response)

    def request(self, method, url, **kw):
        kw.setdefault("timeout", HTTP_TIMEOUT)
        kw.setdefault("allow_redirects", False)
        return super().request(method, url, **kw)


def new_session():
    return _Session()


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _clean_env(extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("WLK_")}
    env.update(extra or {})
    return env


class ServerDidNotStart(Exception):
    def __init__(self, rc, log):
        super().__init__(f"wlk exited with {rc} before becoming ready:\n{log[-3000:]}")
        self.rc = rc
        self.log = log


_log_counter = itertools.count(1)


class Server:
    """One `wlk serve` process on a free port.

    base: a directory of its own (tmp_path); the data dir is base/data unless
    data_dir is given (to restart on the same data), stderr goes to
    base/wlk-N.stderr.log.
    """

    def __init__(self, base, args=(), env=None, data_dir=None):
        self.base = Path(base)
        self.data_dir = Path(data_dir) if data_dir else self.base / "data"
        self.args = list(args)
        self.env = dict(env or {})
        self.proc = None
        self.port = None
        self.rc = None
        self.log_path = None
        self.http = new_session()
        self.expect_clean_exit = True

    # ------------------------------------------------------------ process
    def start(self, wait=True):
        self.data_dir.mkdir(parents=True, exist_ok=True)
        for attempt in range(3):
            self.port = _free_port()
            self.log_path = self.base / f"wlk-{next(_log_counter)}.stderr.log"
            cmd = [
                WLK_BIN, "serve",
                "--listen", f"127.0.0.1:{self.port}",
                "--data-dir", str(self.data_dir),
                "--threads", "2",
                *self.args,
            ]
            with open(self.log_path, "wb") as log:
                self.proc = subprocess.Popen(
                    cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                    env=_clean_env(self.env), cwd=str(self.base),
                )
            self.rc = None
            if not wait:
                return self
            try:
                self._wait_ready()
                return self
            except ServerDidNotStart as e:
                if "in use" in e.log.lower() and attempt < 2:
                    continue  # lost the race for the port
                raise
        return self

    def _wait_ready(self):
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            rc = self.proc.poll()
            if rc is not None:
                self.rc = rc
                raise ServerDidNotStart(rc, self.log_text())
            try:
                r = requests.get(self.url("/healthz"), timeout=0.5,
                                 proxies={"http": None, "https": None})
                if r.status_code == 200 and r.json() == {"status": "ok"}:
                    return
            except (requests.ConnectionError, requests.Timeout, ValueError):
                pass
            time.sleep(0.05)
        self.proc.kill()
        self.proc.wait()
        raise AssertionError(f"wlk not ready within {READY_TIMEOUT}s:\n{self.log_text()[-3000:]}")

    def stop(self, sig=signal.SIGTERM, timeout=STOP_TIMEOUT):
        """Signal the server and wait; returns the exit code. Idempotent."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError(f"wlk did not exit within {timeout}s of {sig!r}")
        self.rc = self.proc.returncode
        self.http.close()
        return self.rc

    def assert_clean(self):
        log = self.log_text()
        for marker in SANITIZER_MARKERS:
            assert marker not in log, f"{marker} in stderr:\n{log[-5000:]}"
        assert self.rc == 0, f"wlk exited with {self.rc}:\n{log[-3000:]}"

    def log_text(self):
        try:
            return self.log_path.read_text(errors="replace")
        except (OSError, AttributeError):
            return ""

    def log_lines(self):
        """Parsed JSON log lines (lines that are not JSON are skipped)."""
        out = []
        for line in self.log_text().splitlines():
            try:
                o = json.loads(line)
            except ValueError:
                continue
            if isinstance(o, dict):
                out.append(o)
        return out

    def wait_log(self, pred, timeout=3.0):
        deadline = time.monotonic() + timeout
        while True:
            for o in self.log_lines():
                if pred(o):
                    return o
            if time.monotonic() > deadline:
                return None
            time.sleep(0.05)

    # --------------------------------------------------------------- HTTP
    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def request(self, method, path, token=None, s=None, headers=None, **kw):
        h = dict(headers or {})
        if token is not None:
            h["Authorization"] = f"Bearer {token}"
        return (s or self.http).request(method, self.url(path), headers=h, **kw)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, **kw):
        return self.request("POST", path, **kw)

    def patch(self, path, **kw):
        return self.request("PATCH", path, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    # ---------------------------------------------------------------- SMS
    @property
    def sink(self):
        return self.data_dir / "sink" / "sms.jsonl"

    def sms_lines(self, phone):
        """Sink entries sent to this phone, oldest first."""
        to = "+86" + phone_digits(phone)
        try:
            raw = self.sink.read_bytes()
        except FileNotFoundError:
            return []
        out = []
        for line in raw.splitlines():
            try:
                o = json.loads(line)
            except ValueError:
                continue  # a line being written
            if isinstance(o, dict) and o.get("to") == to:
                out.append(o)
        return out

    def read_sms(self, phone, timeout=5.0, min_count=1):
        """The code in the newest SMS to +86<digits>, once at least
        min_count SMS have reached that phone."""
        deadline = time.monotonic() + timeout
        while True:
            lines = self.sms_lines(phone)
            if len(lines) >= min_count:
                o = lines[-1]
                assert o.get("template") == "login_code", o
                code = o["params"]["code"]
                assert re.fullmatch(r"[0-9]{6}", code), o
                assert isinstance(o.get("at"), int), o
                return code
            if time.monotonic() > deadline:
                raise AssertionError(f"no SMS #{min_count} to {masked(phone)} within {timeout}s")
            time.sleep(0.02)

    def request_code(self, phone, s=None):
        return self.post("/v1/auth/sms-code", json={"phone": phone}, s=s)

    def send_code(self, phone, s=None, wait_limits=True):
        """Request a code and read it from the sink. A short rate limit
        (Retry-After <= 3) is waited out when wait_limits."""
        before = len(self.sms_lines(phone))
        for _ in range(4):
            r = self.request_code(phone, s=s)
            if r.status_code == 429 and wait_limits and retry_after(r) <= 3:
                time.sleep(retry_after(r) + 0.1)
                continue
            break
        assert r.status_code == 202, f"sms-code: {r.status_code} {r.content[:300]!r}"
        return self.read_sms(phone, min_count=before + 1)

    # --------------------------------------------------------------- auth
    def policy_version(self, s=None):
        r = self.get("/v1/privacy/policy", s=s)
        assert r.status_code == 200
        return r.json()["version"]

    def login_body(self, phone, code, device_id="d1", name=None, platform=None,
                   accept=None):
        device = {"id": device_id}
        if name is not None:
            device["name"] = name
        if platform is not None:
            device["platform"] = platform
        body = {"phone": phone, "code": code, "device": device}
        if accept is not None:
            body["accept_policy_version"] = accept
        return body

    def login(self, phone, device_id="d1", name=None, platform=None, s=None, accept=True):
        """The whole sign-in: sms-code, code from the sink, current policy
        version, login. Returns (token, json)."""
        code = self.send_code(phone, s=s)
        version = self.policy_version(s=s) if accept else None
        r = self.post("/v1/auth/login", s=s, json=self.login_body(
            phone, code, device_id, name, platform, version))
        assert r.status_code == 200, f"login: {r.status_code} {r.content[:300]!r}"
        j = r.json()
        assert isinstance(j.get("token"), str) and j["token"], j
        return j["token"], j

    def new_user(self, **kw):
        """Sign a fresh phone in; returns (token, json, phone)."""
        phone = new_phone()
        token, j = self.login(phone, **kw)
        return token, j, phone


# --------------------------------------------------------------- fixtures

def _require_binary():
    if not os.access(WLK_BIN, os.X_OK):
        pytest.fail(f"wlk binary not found at {WLK_BIN} (build it or set WLK_BIN)", pytrace=False)


@pytest.fixture(scope="session")
def wlk_bin():
    _require_binary()
    return WLK_BIN


def _finish(servers):
    failures = []
    for srv in servers:
        try:
            srv.stop()
            if srv.expect_clean_exit and srv.rc is not None:
                srv.assert_clean()
        except AssertionError as e:
            failures.append(str(e))
    assert not failures, "\n\n".join(failures)


@pytest.fixture
def make_server(tmp_path):
    """Factory: make_server(*flags, env=None, data_dir=None, wait=True) starts
    a server with extra flags; all are stopped and checked at teardown."""
    _require_binary()
    servers = []
    counter = itertools.count(1)

    def make(*flags, env=None, data_dir=None, wait=True):
        base = tmp_path / f"srv{next(counter)}"
        base.mkdir()
        srv = Server(base, flags, env=env, data_dir=data_dir)
        servers.append(srv)
        try:
            return srv.start(wait=wait)
        except ServerDidNotStart:
            srv.expect_clean_exit = False  # the test decides what that means
            raise

    yield make
    _finish(servers)


@pytest.fixture
def server(make_server):
    """A server with default settings, fresh for this test."""
    return make_server()


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory):
    """One server per test module (no SMS interval, high IP limit) for tests
    whose flags do not matter. Tests on it use fresh phones."""
    _require_binary()
    base = tmp_path_factory.mktemp("shared")
    srv = Server(base, SHARED_FLAGS)
    srv.start()
    yield srv
    _finish([srv])
