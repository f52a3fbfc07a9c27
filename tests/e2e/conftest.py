"""Black-box test harness for wlk: starts the real binary on 127.0.0.1 with a
fresh data directory and talks HTTP to it as a client would.

The binary comes from $WLK_BIN (default: <repo>/build/wlk). Every server the
fixtures start is stopped with SIGTERM at teardown; it must exit 0 and its
stderr must hold no sanitizer report.
"""
import itertools
import json
import os
import pty
import random
import re
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest
import requests

import engine

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
    assert r.status_code == 200 and r.json()["status"] == "ok"
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


def read_jsonl(path, keep):
    """The JSON objects of a sink file for which keep(obj) is true, oldest
    first; a line still being written is skipped."""
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        return []
    out = []
    for line in raw.splitlines():
        try:
            o = json.loads(line)
        except ValueError:
            continue
        if isinstance(o, dict) and keep(o):
            out.append(o)
    return out


def db_file_bytes(srv):
    """Every byte the engine keeps for srv's data directory (the SQLite
    files, or a dump and the files of its PostgreSQL database)."""
    return engine.db_bytes(srv.data_dir)


_log_counter = itertools.count(1)


class Server:
    """One `wlk serve` process on a free port.

    base: a directory of its own (tmp_path); the data dir is base/data unless
    data_dir is given (to restart on the same data), stderr goes to
    base/wlk-N.stderr.log.
    """

    def __init__(self, base, args=(), env=None, data_dir=None, tty=False, database_of=None):
        self.tty = tty  # stdout on a pseudo-terminal (read it with terminal_text())
        self._tty_out = bytearray()
        self.base = Path(base)
        self.data_dir = Path(data_dir) if data_dir else self.base / "data"
        # whose database it uses: its own, or another node's (PostgreSQL)
        self.database_of = Path(database_of) if database_of else self.data_dir
        # nodes on the same database: any node's worker may hand an SMS over,
        # so this node's SMS are read from their sinks too
        self.sms_peers = []
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
                *engine.db_args(self.database_of),
                *self.args,
            ]
            with open(self.log_path, "wb") as log:
                out = log
                if self.tty:
                    master, out = pty.openpty()
                self.proc = subprocess.Popen(
                    cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=log,
                    env=_clean_env(self.env), cwd=str(self.base),
                )
                if self.tty:
                    os.close(out)
                    threading.Thread(target=self._read_tty, args=(master,), daemon=True).start()
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
                if r.status_code == 200 and r.json().get("status") == "ok":
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

    def _read_tty(self, fd):
        while True:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            self._tty_out += chunk
        os.close(fd)

    def terminal_text(self):
        """What the server printed on its terminal (tty=True)."""
        return bytes(self._tty_out).decode(errors="replace")

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
        """Sink entries sent to this phone, oldest first (from this node's
        sink and its sms_peers')."""
        to = "+86" + phone_digits(phone)
        lines = [o for n in [self, *self.sms_peers]
                 for o in read_jsonl(n.sink, lambda o: o.get("to") == to)]
        return sorted(lines, key=lambda o: o.get("at", 0)) if self.sms_peers else lines

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

    def make(*flags, env=None, data_dir=None, wait=True, tty=False, database_of=None):
        base = tmp_path / f"srv{next(counter)}"
        base.mkdir()
        srv = Server(base, flags, env=env, data_dir=data_dir, tty=tty, database_of=database_of)
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


# =================================================================== chat
# Helpers for the chat tests (test_chat_*.py): users with several devices,
# conversations, messages, /v1/sync, WebSocket clients, push sink, media
# samples built byte by byte.

import hashlib  # noqa: E402
import struct  # noqa: E402
import uuid  # noqa: E402
import zlib  # noqa: E402
from urllib.parse import quote  # noqa: E402

CHAT_FLAGS = SHARED_FLAGS  # per-test chat servers sign several devices in quickly
ID_RE = re.compile(r"[0-9]+")


def unique(prefix="x"):
    return f"{prefix}-{uuid.uuid4().hex[:16]}"


def eventually(fn, timeout=5.0, interval=0.05):
    """fn() until it returns something truthy (returned) or timeout (None)."""
    deadline = time.monotonic() + timeout
    while True:
        v = fn()
        if v:
            return v
        if time.monotonic() > deadline:
            return None
        time.sleep(interval)


def chat_server(make_server, *flags, **kw):
    """A fresh server for chat tests that need their own flags."""
    return make_server(*CHAT_FLAGS, *flags, **kw)


class ChatUser:
    """A signed-in user with one token per device.

    tokens[i] belongs to device device_ids[i] (the server's decimal id, as
    in /v1/me/devices); token is tokens[0]."""

    def __init__(self, srv, phone, tokens, user, device_ids):
        self.srv = srv
        self.phone = phone
        self.tokens = tokens
        self.user = user
        self.id = user["id"]
        self.device_ids = device_ids

    @property
    def token(self):
        return self.tokens[0]

    def __repr__(self):
        return f"<ChatUser {self.id}>"


def current_device_id(srv, token, s=None):
    r = srv.get("/v1/me/devices", token=token, s=s)
    assert r.status_code == 200, r.content[:300]
    cur = [d["id"] for d in r.json()["items"] if d.get("current")]
    assert len(cur) == 1, r.json()
    return cur[0]


def make_chat_user(srv, devices=2, nickname=None, s=None):
    """Sign a fresh phone in from `devices` devices (dev-1, dev-2, ...)."""
    phone = new_phone()
    tokens, device_ids, user = [], [], None
    for i in range(devices):
        token, j = srv.login(phone, device_id=f"dev-{i + 1}", name=f"device {i + 1}",
                             accept=(i == 0), s=s)
        tokens.append(token)
        if user is None:
            user = j["user"]
    for t in tokens:
        device_ids.append(current_device_id(srv, t, s=s))
    if nickname is not None:
        r = srv.patch("/v1/me", token=tokens[0], json={"nickname": nickname}, s=s)
        assert r.status_code == 200, r.content[:300]
        user = r.json()
    return ChatUser(srv, phone, tokens, user, device_ids)


@pytest.fixture
def two_users(shared_server):
    """Two fresh users on the module's shared server, two devices each."""
    return make_chat_user(shared_server), make_chat_user(shared_server)


def open_conversation(srv, a, b, expect=None):
    """POST /v1/conversations as a (ChatUser or token) with b's id; returns
    the Conversation (status 201 or 200, or `expect`)."""
    token = a.token if isinstance(a, ChatUser) else a
    peer = b.id if isinstance(b, ChatUser) else b
    r = srv.post("/v1/conversations", token=token, json={"peer_id": peer})
    want = (expect,) if expect else (200, 201)
    assert r.status_code in want, f"open conversation: {r.status_code} {r.content[:300]!r}"
    return r.json()


def post_message(srv, token, conv_id, kind="text", body=None, client_id=None, s=None, **kw):
    """POST a message; returns the response."""
    payload = {"client_id": client_id or unique("c"), "kind": kind,
               "body": {"text": unique("hello")} if body is None and kind == "text" else body}
    return srv.post(f"/v1/conversations/{conv_id}/messages", token=token, json=payload, s=s, **kw)


def send_text(srv, token, conv_id, text=None, client_id=None, s=None):
    """Send a text message; asserts 201 and returns the Message."""
    r = post_message(srv, token, conv_id, "text", {"text": text or unique("hello")},
                     client_id=client_id, s=s)
    assert r.status_code == 201, f"send: {r.status_code} {r.content[:300]!r}"
    return r.json()


def history(srv, token, conv_id, **params):
    """GET .../messages with params; asserts 200, returns the JSON."""
    r = srv.get(f"/v1/conversations/{conv_id}/messages", token=token, params=params)
    assert r.status_code == 200, f"history: {r.status_code} {r.content[:300]!r}"
    return r.json()


def full_history(srv, token, conv_id, page=200):
    """Every message of a conversation, paging with after_seq."""
    out, after = [], 0
    for _ in range(100000):
        j = history(srv, token, conv_id, after_seq=after, limit=page)
        out.extend(j["items"])
        if not j["items"] or not j["has_more"]:
            return out
        after = j["items"][-1]["seq"]
    raise AssertionError("history paging does not end")


def sync_page(srv, token, cursor=None, limit=None, s=None):
    params = {}
    if cursor is not None:
        params["cursor"] = cursor
    if limit is not None:
        params["limit"] = limit
    r = srv.get("/v1/sync", token=token, params=params, s=s)
    assert r.status_code == 200, f"sync: {r.status_code} {r.content[:300]!r}"
    return r.json()


def sync_all(srv, token, cursor=0, limit=500, s=None):
    """All events after cursor, following has_more. Checks each page:
    ascending seqs above the cursor and next_cursor = last seq. Returns
    (events, head)."""
    events = []
    for _ in range(100000):
        j = sync_page(srv, token, cursor, limit, s=s)
        seqs = [e["seq"] for e in j["events"]]
        assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs), seqs
        assert all(q > cursor for q in seqs), (cursor, seqs)
        want_next = seqs[-1] if seqs else cursor
        assert j["next_cursor"] == want_next, (j["next_cursor"], want_next)
        events.extend(j["events"])
        cursor = j["next_cursor"]
        if not j["has_more"]:
            return events, cursor
        assert seqs, "has_more with no events"
    raise AssertionError("sync paging does not end")


def sync_head(srv, token):
    return sync_all(srv, token)[1]


def events_of(events, etype, pred=None):
    return [e for e in events if e["type"] == etype and (pred is None or pred(e))]


def message_events(events, etype="message.created", conv_id=None):
    """The Messages carried by message.* events (of one conversation)."""
    out = []
    for e in events_of(events, etype):
        m = e["data"]["message"]
        if conv_id is None or m["conversation_id"] == conv_id:
            out.append(m)
    return out


def grant_consent(srv, token, scope="location"):
    r = srv.request("PUT", f"/v1/me/consents/{scope}", token=token,
                    json={"version": srv.policy_version()})
    assert r.status_code == 200, f"consent: {r.status_code} {r.content[:300]!r}"
    return r.json()


# ------------------------------------------------------------- WebSocket

WS_TIMEOUT = 5.0


def _websocket():
    import websocket  # Debian python3-websocket (websocket-client)
    return websocket


def ws_url(srv, token=None, cursor=None):
    q = []
    if token is not None:
        q.append("token=" + quote(token, safe=""))
    if cursor is not None:
        q.append(f"cursor={cursor}")
    return f"ws://127.0.0.1:{srv.port}/v1/ws" + ("?" + "&".join(q) if q else "")


def ws_connect(srv, token, cursor=None, protocol=False, timeout=WS_TIMEOUT, hello=True,
               **kw):
    """Open /v1/ws with the token in ?token= (or, when protocol, in
    `Sec-WebSocket-Protocol: wlk, <token>`). With hello, reads the first
    frame, asserts it is the hello and keeps it as ws.hello."""
    websocket = _websocket()
    opts = dict(timeout=timeout, http_no_proxy=["127.0.0.1", "localhost"],
                skip_utf8_validation=True)
    opts.update(kw)
    if protocol:
        opts.setdefault("header", []).append(f"Sec-WebSocket-Protocol: wlk, {token}")
        url = ws_url(srv, None, cursor)
    else:
        url = ws_url(srv, token, cursor)
    ws = websocket.create_connection(url, **opts)
    ws.hello = None
    if hello:
        frame = recv_json(ws, timeout)
        assert frame.get("type") == "hello", frame
        assert isinstance(frame.get("cursor"), int), frame
        ws.hello = frame
    return ws


def ws_close(ws, timeout=0.5):
    try:
        ws.close(timeout=timeout)
    except Exception:  # noqa: BLE001 - best effort
        try:
            ws.shutdown()
        except Exception:  # noqa: BLE001
            pass


@pytest.fixture
def open_ws(make_server):
    """Factory open_ws(srv, token, **kw) -> ws (see ws_connect); every
    connection is closed at teardown, before the test's servers stop."""
    conns = []

    def connect(srv, token, **kw):
        ws = ws_connect(srv, token, **kw)
        conns.append(ws)
        return ws

    yield connect
    for ws in conns:
        ws_close(ws, timeout=0.2)


class WsClosed(AssertionError):
    pass


def _recv_frame(ws, timeout):
    """The next data frame as ("text", str) or ("binary", bytes);
    ("close", None) when the server closed the connection; None on timeout.
    Server pings are answered (by websocket-client) and skipped; the
    timeout bounds the whole wait even while pings keep coming."""
    websocket = _websocket()
    abnf = websocket.ABNF
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        ws.settimeout(left)
        try:
            opcode, frame = ws.recv_data_frame(control_frame=True)
        except websocket.WebSocketTimeoutException:
            return None
        except (websocket.WebSocketConnectionClosedException, websocket.WebSocketProtocolException,
                ConnectionError, OSError):
            return ("close", None)
        data = frame.data if frame is not None else b""
        if opcode == abnf.OPCODE_TEXT:
            return ("text", data.decode("utf-8", "replace") if isinstance(data, bytes) else data)
        if opcode == abnf.OPCODE_BINARY:
            return ("binary", data)
        if opcode == abnf.OPCODE_CLOSE:
            return ("close", None)
        # ping (already answered) or pong: keep waiting


def ws_closed_soon(ws, wait=5.0):
    """True when the server closes ws within wait seconds (events before
    the close are skipped)."""
    while True:
        frame = _recv_frame(ws, wait)
        if frame is None:
            return False
        if frame[0] == "close":
            return True


def recv_json(ws, timeout=WS_TIMEOUT):
    """The next text frame as JSON. AssertionError on timeout; WsClosed when
    the server closed the connection."""
    got = _recv_frame(ws, max(timeout, 0.001))
    if got is None:
        raise AssertionError(f"no WebSocket frame within {timeout}s")
    kind, data = got
    if kind == "close":
        raise WsClosed("connection closed by the server")
    assert kind == "text", f"binary frame from the server: {data[:100]!r}"
    try:
        return json.loads(data)
    except ValueError:
        raise AssertionError(f"frame is not JSON: {data[:200]!r}") from None


def recv_until(ws, pred, timeout=WS_TIMEOUT):
    """Read frames until pred(frame); returns that frame (others are
    dropped, and kept in ws.dropped for debugging)."""
    deadline = time.monotonic() + timeout
    seen = []
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError(f"no matching frame within {timeout}s; saw {seen[-8:]}")
        try:
            frame = recv_json(ws, left)
        except WsClosed:
            raise
        except AssertionError:
            raise AssertionError(f"no matching frame within {timeout}s; saw {seen[-8:]}") from None
        if pred(frame):
            ws.dropped = seen
            return frame
        seen.append(frame)


def recv_frames(ws, pred, count, timeout=WS_TIMEOUT):
    """The first `count` frames matching pred, in order."""
    deadline = time.monotonic() + timeout
    out = []
    while len(out) < count:
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError(f"got {len(out)} of {count} frames within {timeout}s: {out[-5:]}")
        out.append(recv_until(ws, pred, left))
    return out


def is_event(etype, pred=None):
    """A frame predicate: an `event` frame of this type (and pred(event))."""
    def match(frame):
        if frame.get("type") != "event":
            return False
        ev = frame.get("event") or {}
        return ev.get("type") == etype and (pred is None or pred(ev))
    return match


def recv_event(ws, etype, pred=None, timeout=WS_TIMEOUT):
    """The next event of this type (and pred); returns the Event."""
    return recv_until(ws, is_event(etype, pred), timeout)["event"]


def is_message_event(message_id, etype="message.created"):
    return is_event(etype, lambda e: e["data"]["message"]["id"] == message_id)


def recv_reply(ws, req_id, timeout=WS_TIMEOUT):
    """The ack / pong / error frame answering req_id."""
    return recv_until(ws, lambda f: f.get("req_id") == req_id
                      and f.get("type") in ("ack", "pong", "error"), timeout)


def ws_request(ws, frame, timeout=WS_TIMEOUT):
    """Send a JSON frame with a fresh req_id (unless given); returns the
    reply to it."""
    frame = dict(frame)
    frame.setdefault("req_id", unique("r"))
    ws.send(json.dumps(frame))
    return recv_reply(ws, frame["req_id"], timeout)


def ws_ping(ws, timeout=WS_TIMEOUT):
    """A ping frame answered by a pong with the same req_id."""
    rid = unique("ping")
    ws.send(json.dumps({"type": "ping", "req_id": rid}))
    f = recv_reply(ws, rid, timeout)
    assert f.get("type") == "pong", f
    return f


def assert_ws_error(frame, code, field=None, req_id=None):
    assert frame.get("type") == "error", frame
    assert frame.get("code") == code, frame
    assert isinstance(frame.get("message"), str), frame
    if field is not None:
        assert frame.get("field") == field, frame
    if req_id is not None:
        assert frame.get("req_id") == req_id, frame
    return frame


def ws_closed(ws, timeout=5.0):
    """True when the server closes the connection within timeout (frames
    received meanwhile are dropped; pings are answered)."""
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        got = _recv_frame(ws, left)
        if got is None:
            return False
        if got[0] == "close":
            return True


def ws_raw_connect(srv, target="/v1/ws", headers=(), rcvbuf=None, timeout=5.0):
    """A WebSocket handshake over a plain socket. Returns (sock, status,
    head, rest): status is the HTTP status code, head the response head as
    text, rest any bytes after it."""
    import base64
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if rcvbuf:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    sock.settimeout(timeout)
    sock.connect(("127.0.0.1", srv.port))
    key = base64.b64encode(os.urandom(16)).decode()
    lines = [f"GET {target} HTTP/1.1", f"Host: 127.0.0.1:{srv.port}", "Upgrade: websocket",
             "Connection: Upgrade", f"Sec-WebSocket-Key: {key}", "Sec-WebSocket-Version: 13",
             *headers]
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(4096)
        if not chunk:
            break
        buf += chunk
    head, _, rest = buf.partition(b"\r\n\r\n")
    m = re.match(rb"HTTP/1\.[01] ([0-9]{3})", head)
    assert m, f"not an HTTP response: {buf[:200]!r}"
    return sock, int(m.group(1)), head.decode("latin-1"), rest


def ws_frame(opcode, payload, mask=True):
    """One client frame (FIN set, masked)."""
    n = len(payload)
    head = bytes([0x80 | opcode])
    mbit = 0x80 if mask else 0
    if n < 126:
        head += bytes([mbit | n])
    elif n < 65536:
        head += bytes([mbit | 126]) + struct.pack("!H", n)
    else:
        head += bytes([mbit | 127]) + struct.pack("!Q", n)
    if not mask:
        return head + payload
    key = os.urandom(4)
    return head + key + bytes(b ^ key[i % 4] for i, b in enumerate(payload))


def parse_server_frames(buf):
    """[(opcode, payload)] of the complete unmasked frames in buf, and the
    remaining bytes."""
    out = []
    while len(buf) >= 2:
        op, n, off = buf[0] & 0x0F, buf[1] & 0x7F, 2
        if n == 126:
            if len(buf) < 4:
                break
            n, off = struct.unpack("!H", buf[2:4])[0], 4
        elif n == 127:
            if len(buf) < 10:
                break
            n, off = struct.unpack("!Q", buf[2:10])[0], 10
        if len(buf) < off + n:
            break
        out.append((op, buf[off:off + n]))
        buf = buf[off + n:]
    return out, buf


def raw_closed(sock, timeout=5.0, rest=b"", opcodes=None):
    """Read a raw socket (never answering anything) until the server ends
    the connection (EOF, reset or a close frame): returns the seconds that
    took, or None if still open after timeout. The opcodes of the frames
    seen meanwhile are appended to `opcodes` when given."""
    start = time.monotonic()
    deadline = start + timeout
    buf = rest
    while True:
        frames, buf = parse_server_frames(buf)
        if opcodes is not None:
            opcodes.extend(op for op, _ in frames)
        if any(op == 0x8 for op, _ in frames):
            return time.monotonic() - start
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        sock.settimeout(left)
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            return None
        except (ConnectionError, OSError):
            return time.monotonic() - start
        if not chunk:
            return time.monotonic() - start
        buf += chunk


# ------------------------------------------------------------------ push

def push_sink(srv):
    return srv.data_dir / "sink" / "push.jsonl"


def push_lines(srv, token=None):
    """Parsed lines of sink/push.jsonl (for one push token when given)."""
    return read_jsonl(push_sink(srv), lambda o: token is None or o.get("token") == token)


def wait_push(srv, token, count=1, timeout=5.0):
    """Wait for at least `count` push lines to this push token; returns them."""
    got = eventually(lambda: len(push_lines(srv, token)) >= count and push_lines(srv, token),
                     timeout=timeout)
    assert got, f"no push #{count} to {token} within {timeout}s: {push_lines(srv)[-5:]}"
    return got


def set_push_token(srv, user_token, device_id, vendor="hms", push_token=None):
    push_token = push_token or unique("pt")
    r = srv.request("PUT", f"/v1/me/devices/{device_id}/push", token=user_token,
                    json={"vendor": vendor, "token": push_token})
    assert r.status_code == 204, f"push token: {r.status_code} {r.content[:300]!r}"
    return push_token


# ----------------------------------------------------------------- media

MEDIA_MIB = 1024 * 1024


def upload_media(srv, token, data, content_type, s=None):
    headers = {"Content-Type": content_type} if content_type is not None else {}
    return srv.post("/v1/media", token=token, data=data, headers=headers, s=s)


def upload_ok(srv, token, data, content_type):
    r = upload_media(srv, token, data, content_type)
    assert r.status_code == 201, f"upload: {r.status_code} {r.content[:300]!r}"
    return r.json()


def sha256_hex(data):
    return hashlib.sha256(data).hexdigest()


def _jpeg_segment(marker, payload):
    return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload


# Distinctive GPS values so their bytes cannot occur by chance.
GPS_LAT = ((39, 1), (54, 1), (271828, 10000))
GPS_LNG = ((116, 1), (23, 1), (314159, 10000))


def _rationals(vals, order="<"):
    return b"".join(struct.pack(order + "II", n, d) for n, d in vals)


GPS_LAT_BYTES = _rationals(GPS_LAT)
GPS_LNG_BYTES = _rationals(GPS_LNG)
GPS_IFD_TAG_BYTES = struct.pack("<HHI", 0x8825, 4, 1)  # IFD0 entry head: GPSInfo, LONG, 1
XMP_GPS_CANARY = b"exif:GPSLatitude>39,54.45N<"


def gps_markers(order="<"):
    """Byte strings of jpeg_with_gps(order) that give the position away:
    the latitude and longitude rationals, the GPSInfo entry of IFD0 and the
    XMP GPS property."""
    return [_rationals(GPS_LAT, order), _rationals(GPS_LNG, order),
            struct.pack(order + "HHI", 0x8825, 4, 1), XMP_GPS_CANARY, b"GPSLatitude"]


def exif_with_gps(order="<"):
    """The TIFF bytes of an EXIF block (order "<": little endian "II", ">":
    big endian "MM"): IFD0 with Make and a GPSInfo pointer to a GPS IFD
    holding GPSVersionID, GPSLatitudeRef, GPSLatitude, GPSLongitudeRef,
    GPSLongitude."""
    o = order
    make = b"CanaryCam\x00"
    ifd0_off = 8
    ifd0_n = 2
    ifd0_size = 2 + ifd0_n * 12 + 4
    make_off = ifd0_off + ifd0_size
    gps_off = make_off + len(make)
    gps_n = 5
    gps_size = 2 + gps_n * 12 + 4
    lat_off = gps_off + gps_size
    lng_off = lat_off + 24
    t = (b"II*\x00" if o == "<" else b"MM\x00*") + struct.pack(o + "I", ifd0_off)
    t += struct.pack(o + "H", ifd0_n)
    t += struct.pack(o + "HHII", 0x010F, 2, len(make), make_off)     # Make
    t += struct.pack(o + "HHII", 0x8825, 4, 1, gps_off)              # GPSInfo
    t += struct.pack(o + "I", 0)
    t += make
    assert len(t) == gps_off
    t += struct.pack(o + "H", gps_n)
    t += struct.pack(o + "HHI", 0x0000, 1, 4) + bytes([2, 3, 0, 0])  # GPSVersionID
    t += struct.pack(o + "HHI", 0x0001, 2, 2) + b"N\x00\x00\x00"     # GPSLatitudeRef
    t += struct.pack(o + "HHII", 0x0002, 5, 3, lat_off)              # GPSLatitude
    t += struct.pack(o + "HHI", 0x0003, 2, 2) + b"E\x00\x00\x00"     # GPSLongitudeRef
    t += struct.pack(o + "HHII", 0x0004, 5, 3, lng_off)              # GPSLongitude
    t += struct.pack(o + "I", 0)
    assert len(t) == lat_off
    t += _rationals(GPS_LAT, o) + _rationals(GPS_LNG, o)
    return t


# A 1x1 grey baseline JPEG: all-ones quantisation, one-symbol Huffman tables
# (DC category 0, AC end-of-block), scan bits "00" padded with ones.
_JPEG_DQT = _jpeg_segment(0xDB, b"\x00" + b"\x01" * 64)
_JPEG_SOF0 = _jpeg_segment(0xC0, b"\x08\x00\x01\x00\x01\x01\x01\x11\x00")
_JPEG_DHT = _jpeg_segment(0xC4, b"\x00" + b"\x01" + b"\x00" * 15 + b"\x00"
                          + b"\x10" + b"\x01" + b"\x00" * 15 + b"\x00")
_JPEG_SOS = _jpeg_segment(0xDA, b"\x01\x01\x00\x00\x3f\x00")
_JPEG_SCAN = b"\x3f"
JPEG_SCAN_TAIL = _JPEG_SOS + _JPEG_SCAN + b"\xff\xd9"


def jpeg_plain():
    """A minimal valid JPEG (JFIF, no EXIF)."""
    app0 = _jpeg_segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
    return b"\xff\xd8" + app0 + _JPEG_DQT + _JPEG_SOF0 + _JPEG_DHT + JPEG_SCAN_TAIL


def jpeg_with_gps(order="<"):
    """A minimal valid JPEG with an EXIF APP1 (GPS IFD, byte order as in
    exif_with_gps) and an XMP APP1 naming a GPS position."""
    app1 = _jpeg_segment(0xE1, b"Exif\x00\x00" + exif_with_gps(order))
    xmp = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
           b'22-rdf-syntax-ns#"><rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/"><'
           + XMP_GPS_CANARY + b'/exif:GPSLatitude></rdf:Description></rdf:RDF></x:xmpmeta>')
    app1_xmp = _jpeg_segment(0xE1, b"http://ns.adobe.com/xap/1.0/\x00" + xmp)
    return b"\xff\xd8" + app1 + app1_xmp + _JPEG_DQT + _JPEG_SOF0 + _JPEG_DHT + JPEG_SCAN_TAIL


def _png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bytes(total_size=None):
    """A 1x1 grey PNG; with total_size, padded to exactly that many bytes
    with a tEXt chunk."""
    head = b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
    tail = _png_chunk(b"IDAT", zlib.compress(b"\x00\x80")) + _png_chunk(b"IEND", b"")
    if total_size is None:
        return head + tail
    pad = total_size - len(head) - len(tail) - 12 - len(b"Comment\x00")
    assert pad >= 0
    out = head + _png_chunk(b"tEXt", b"Comment\x00" + b"a" * pad) + tail
    assert len(out) == total_size
    return out


def webp_bytes():
    """A 1x1 lossless WebP (RIFF/WEBP/VP8L)."""
    vp8l = b"\x2f\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00"
    chunk = b"VP8L" + struct.pack("<I", 13) + vp8l[:13] + b"\x00"
    body = b"WEBP" + chunk
    return b"RIFF" + struct.pack("<I", len(body)) + body


def mp3_bytes(frames=4):
    """ID3v2.4 header and MPEG-1 Layer III frames (128 kbit/s, 44.1 kHz,
    417 bytes each)."""
    id3 = b"ID3\x04\x00\x00\x00\x00\x00\x00"
    frame = b"\xff\xfb\x90\x64" + b"\x00" * (417 - 4)
    return id3 + frame * frames


def _ogg_crc(data):
    crc = 0
    for b in data:
        crc ^= b << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7) if crc & 0x80000000 else (crc << 1)
            crc &= 0xFFFFFFFF
    return crc


def ogg_bytes():
    """One Ogg page (beginning of stream) carrying an OpusHead packet."""
    packet = b"OpusHead" + bytes([1, 1]) + struct.pack("<HIhB", 312, 48000, 0, 0)
    header = (b"OggS" + bytes([0, 2]) + struct.pack("<qIII", 0, 0x57A1C0DE, 0, 0)
              + bytes([1, len(packet)]))
    page = header + packet
    crc = _ogg_crc(page)
    return page[:22] + struct.pack("<I", crc) + page[26:]


def amr_bytes(frames=5):
    """AMR-NB storage format: magic and 12.2 kbit/s frames."""
    return b"#!AMR\n" + (b"\x3c" + b"\x00" * 31) * frames


def aac_bytes(frames=4):
    """AAC-LC ADTS frames (sync 0xFFF1, 44.1 kHz, stereo)."""
    payload = b"\x21\x00\x49\x90\x02\x19\x00\x23\x80"
    n = 7 + len(payload)
    hdr = bytes([0xFF, 0xF1, 0x50, 0x80 | ((n >> 11) & 0x03), (n >> 3) & 0xFF,
                 ((n & 0x07) << 5) | 0x1F, 0xFC])
    return (hdr + payload) * frames


def mp4_bytes():
    """An ISO BMFF file: ftyp (isom), free and an empty mdat box."""
    ftyp = b"ftyp" + b"isom" + struct.pack(">I", 0x200) + b"isomiso2avc1mp41"
    ftyp = struct.pack(">I", len(ftyp) + 4) + ftyp
    free = struct.pack(">I", 8) + b"free"
    mdat = struct.pack(">I", 16) + b"mdat" + b"\x00" * 8
    return ftyp + free + mdat


MEDIA_SAMPLES = {
    "image/jpeg": jpeg_plain,
    "image/png": png_bytes,
    "image/webp": webp_bytes,
    "audio/mpeg": mp3_bytes,
    "audio/ogg": ogg_bytes,
    "audio/amr": amr_bytes,
    "audio/aac": aac_bytes,
    "video/mp4": mp4_bytes,
}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keeps each phase's report on the test item (rep_call), so fixtures
    can tell a failed test at teardown (the browser tests save a screenshot
    and the console then)."""
    outcome = yield
    rep = outcome.get_result()
    setattr(item, "rep_" + rep.when, rep)
