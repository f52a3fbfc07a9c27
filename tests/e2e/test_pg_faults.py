"""Faults of the PostgreSQL engine (issue 11, "Bad input and faults"):
the database stopped under load is answered 503 with Retry-After, leaves
nothing half-written, and the server resumes by itself when it comes back;
a wrong --database fails at start with a clear message, never a crash.

The stop/start test runs a cluster of its own (the suite's shared one keeps
serving the other tests), so it needs the PostgreSQL binaries: it runs in
the PostgreSQL pass of the suite."""
import subprocess
import threading
import time

import pytest
import requests

import engine
from conftest import (CHAT_FLAGS, WLK_BIN, assert_ws_error, eventually, full_history,
                      make_chat_user, open_conversation, post_message, retry_after, sync_all,
                      unique, ws_close, ws_connect, ws_request)

needs_postgres = pytest.mark.skipif(not engine.POSTGRES,
                                    reason="runs in the PostgreSQL pass of the suite")

SENDERS = 4


class Load:
    """SENDERS threads posting text messages to one conversation, each with a
    fresh client id, recording what each send was answered."""

    def __init__(self, srv, token, conv_id):
        self.srv, self.token, self.conv_id = srv, token, conv_id
        self.results = []  # (client_id, text, status, retry_after)
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.errors = []  # what a sender thread raised
        self.threads = [threading.Thread(target=self._run, daemon=True) for _ in range(SENDERS)]

    def _run(self):
        try:
            self._send_until_stopped()
        except BaseException as e:  # noqa: BLE001 - reported by the test
            self.errors.append(e)

    def _send_until_stopped(self):
        s = requests.Session()
        while not self.stop.is_set():
            cid, text = unique("c"), unique("load")
            try:
                r = post_message(self.srv, self.token, self.conv_id, body={"text": text},
                                 client_id=cid, s=s, timeout=10)
                status, ra = r.status_code, retry_after(r) if r.status_code == 503 else None
                if status == 503:
                    assert r.json()["error"]["code"] == "unavailable", r.text
            except requests.RequestException:
                status, ra = None, None  # no answer at all: the server must not do this
            with self.lock:
                self.results.append((cid, text, status, ra))
            if status == 503:
                time.sleep(0.02)

    def count(self, status):
        with self.lock:
            return sum(1 for r in self.results if r[2] == status)

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for t in self.threads:
            t.join(timeout=30)


def ws_send(ws, conv, cid):
    return ws_request(ws, {"type": "send", "conversation_id": conv, "client_id": cid,
                           "kind": "text", "body": {"text": unique("ws")}})


@needs_postgres
def test_postgres_stopped_under_load_answers_503_and_resumes(make_server, tmp_path):
    pg = engine.Cluster(durable=True)  # an acknowledged commit survives the stop
    pg.start()
    try:
        url = pg.url(pg.database(tmp_path / "data"))
        srv = make_server(*CHAT_FLAGS, "--database", url)
        a, b = make_chat_user(srv, devices=1), make_chat_user(srv, devices=1)
        conv = open_conversation(srv, a, b)["id"]
        ws = ws_connect(srv, a.token)
        ws_cids = []

        with Load(srv, a.token, conv) as load:
            assert eventually(lambda: load.count(201) >= 50, timeout=20), load.results[-5:]
            pg.stop()  # immediate: every connection of the server is cut mid-work
            assert eventually(lambda: load.count(503) >= 20, timeout=20), load.results[-5:]
            me = srv.get("/v1/me", token=a.token)
            assert me.status_code == 503 and me.json()["error"]["code"] == "unavailable"
            assert retry_after(me) >= 1
            ws_cids.append(unique("w"))  # a send over the WebSocket: refused, socket kept
            assert_ws_error(ws_send(ws, conv, ws_cids[-1]), "unavailable")
            assert srv.proc.poll() is None, "the server died with its database"
            ok_before = load.count(201)
            pg.restart()
            assert eventually(lambda: load.count(201) >= ok_before + 50, timeout=30), \
                load.results[-5:]
            for cid in (ws_cids[-1], unique("w")):  # the refused one resent, and a new one
                if cid not in ws_cids:
                    ws_cids.append(cid)
                ack = ws_send(ws, conv, cid)
                assert ack["type"] == "ack" and ack["message"]["client_id"] == cid, ack
        ws_close(ws)

        assert not load.errors, load.errors
        results = list(load.results)
        assert all(r[2] in (201, 503) for r in results), \
            sorted({r[2] for r in results}, key=str)
        assert all(r[3] is not None and r[3] >= 1 for r in results if r[2] == 503)

        # the client resends each refused message with its client id: each is
        # stored once, whether or not the refused attempt had committed
        for cid, text, status, _ in results:
            if status == 503:
                r = post_message(srv, a.token, conv, body={"text": text}, client_id=cid)
                assert r.status_code in (200, 201), r.text

        msgs = full_history(srv, b.token, conv)
        assert [m["seq"] for m in msgs] == list(range(1, len(msgs) + 1)), "a gap in seq"
        by_cid = {m["client_id"]: m for m in msgs}
        assert len(by_cid) == len(msgs), "a client id stored twice"
        assert set(by_cid) == {r[0] for r in results} | set(ws_cids)
        assert all(by_cid[cid]["body"]["text"] == text for cid, text, _, _ in results)

        # each stored message reached both users' event streams exactly once
        for user in (a, b):
            events, _ = sync_all(srv, user.token)
            seen = [e["data"]["message"]["id"] for e in events
                    if e["type"] == "message.created"
                    and e["data"]["message"]["conversation_id"] == conv]
            assert sorted(seen) == sorted(m["id"] for m in msgs)

        assert srv.log_text().count("database unavailable") >= 1
    finally:
        pg.remove()


WRONG_URLS = [
    ("postgres://wlk:s3cret-pw@127.0.0.1:1/x", "cannot connect"),
    ("postgres://%zz@127.0.0.1/x", "cannot connect"),
    ("postgres://u@[::1/x", "cannot connect"),
    ("mysql://u@127.0.0.1/x", "must be a postgres:// or postgresql:// URL"),
    ("sqlite:///tmp/x.db", "must be a postgres:// or postgresql:// URL"),
]


@pytest.mark.parametrize("url,message", WRONG_URLS)
@pytest.mark.parametrize("command", [["serve", "--listen", "127.0.0.1:0"], ["migrate"],
                                     ["audit", "verify"]])
def test_wrong_database_url_fails_at_start_with_a_clear_message(tmp_path, url, command,
                                                                message):
    p = subprocess.run([WLK_BIN, *command, "--data-dir", str(tmp_path / "d"), "--database", url],
                       capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert p.returncode == 1, (p.returncode, p.stderr)  # an exit, not a signal
    assert message in p.stderr, p.stderr
    assert "s3cret-pw" not in p.stderr + p.stdout
    assert "Sanitizer" not in p.stderr


@needs_postgres
@pytest.mark.parametrize("what", ["database", "role"])
def test_unknown_database_or_role_fails_at_start(tmp_path, what):
    c = engine.cluster()
    url = (c.url("no_such_database") if what == "database" else
           c.url("postgres", user="no_such_role"))
    p = subprocess.run([WLK_BIN, "serve", "--listen", "127.0.0.1:0", "--data-dir",
                        str(tmp_path / "d"), "--database", url],
                       capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert p.returncode == 1, (p.returncode, p.stderr)
    assert "cannot connect" in p.stderr and f'"no_such_{what}" does not exist' in p.stderr, \
        p.stderr
