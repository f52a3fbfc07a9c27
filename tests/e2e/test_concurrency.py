"""Invariants that hold when several `wlk serve` processes share one
PostgreSQL database (issue 11, 1): two nodes (own data directories, one
master key file, distinct node ids) take concurrent requests for the same
conversation, phone, address and audit trail, and the database ends up as
one serial order would leave it: gapless seqs, one message per client id,
a code that signs in once, every wrong try and every code counted, one
audit chain, each SMS handed to the provider once.

On SQLite one database file serves one server process (its file lock
serialises the writers, the admin socket refuses a second server on the
directory), so these run on PostgreSQL only."""
import threading
import time

import pytest

import engine
from conftest import (SHARED_FLAGS, ChatUser, current_device_id, error_of, full_history, new_phone,
                      new_session, open_conversation, post_message, sync_all, wrong_code)
from retention_util import wlk_ok
from staffkit import add_staff, staff_token

pytestmark = pytest.mark.skipif(not engine.POSTGRES, reason=__doc__.split("\n\n")[1])

MAX_ATTEMPTS = 5  # AUTH_MAX_ATTEMPTS


class Cluster:
    def __init__(self, nodes):
        self.nodes = nodes
        for n in nodes:  # any node's worker may hand a queued SMS over
            n.sms_peers = [m for m in nodes if m is not n]

    def node(self, i):
        return self.nodes[i % len(self.nodes)]

    def sms(self, phone):
        """Every SMS to phone, from the sinks of all nodes, oldest first."""
        return self.nodes[0].sms_lines(phone)

    def code(self, phone, count):
        deadline = time.monotonic() + 10
        while True:
            lines = self.sms(phone)
            if len(lines) >= count:
                return lines[-1]["params"]["code"]
            assert time.monotonic() < deadline, f"no SMS #{count}"
            time.sleep(0.02)

    def sign_in(self, phone, device="d1", via=0):
        srv = self.node(via)
        before = len(self.sms(phone))
        assert srv.request_code(phone).status_code == 202
        code = self.code(phone, before + 1)
        r = srv.post("/v1/auth/login", json=srv.login_body(phone, code, device,
                                                            accept=srv.policy_version()))
        assert r.status_code == 200, r.text
        return r.json()["token"], r.json()

    def user(self, via=0):
        phone = new_phone()
        token, j = self.sign_in(phone, via=via)
        srv = self.node(via)
        return ChatUser(srv, phone, [token], j["user"], [current_device_id(srv, token)])


def start_nodes(make_server, *flags, before_start=None):
    first = make_server(*SHARED_FLAGS, "--node-id", "1", *flags)
    if before_start:  # on the migrated database, with no server running
        first.stop()
        before_start(first.data_dir)
        first.start()
    # the second node: a data directory of its own, the first's key file
    second = make_server(*SHARED_FLAGS, "--node-id", "2", "--master-key-file",
                         str(first.data_dir / "master.key"), *flags,
                         database_of=first.data_dir)
    return Cluster([first, second])


def in_parallel(n, fn):
    """fn(i) on n threads released together; the results in order of i."""
    out = [None] * n
    barrier = threading.Barrier(n)

    def run(i):
        barrier.wait()
        out[i] = fn(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return out


def test_messages_sent_through_two_nodes_at_once_get_gapless_seqs(make_server):
    c = start_nodes(make_server)
    a, b = c.user(0), c.user(1)
    cid = open_conversation(c.node(0), a, b)["id"]
    per_thread = 15

    def send(i):
        s, who = new_session(), (a, b)[i % 2]
        codes = [post_message(c.node(i), who.token, cid, "text", {"text": f"t{i} m{k}"},
                              client_id=f"t{i}-{k}", s=s).status_code for k in range(per_thread)]
        s.close()
        return codes

    results = in_parallel(6, send)
    assert all(code == 201 for codes in results for code in codes), results
    msgs = full_history(c.node(0), a.token, cid)
    assert [m["seq"] for m in msgs] == list(range(1, 6 * per_thread + 1))
    assert len({m["client_id"] for m in msgs}) == 6 * per_thread
    # each user's stream: one event per message, in seq order with no gap
    for u in (a, b):
        events, _ = sync_all(c.node(1), u.token)
        seqs = [e["seq"] for e in events]
        assert seqs == list(range(seqs[0], seqs[0] + len(seqs))), seqs
        created = [e for e in events if e["type"] == "message.created"]
        assert len(created) == 6 * per_thread


def test_one_client_id_sent_through_two_nodes_at_once_makes_one_message(make_server):
    c = start_nodes(make_server)
    a, b = c.user(0), c.user(1)
    cid = open_conversation(c.node(0), a, b)["id"]

    def send(i):
        r = post_message(c.node(i), a.token, cid, "text", {"text": "once"}, client_id="same",
                         s=new_session())
        return r.status_code, r.json().get("id")

    out = in_parallel(8, send)
    assert sorted(st for st, _ in out) == [200] * 7 + [201], out
    assert len({mid for _, mid in out}) == 1
    assert len(full_history(c.node(1), b.token, cid)) == 1


def test_a_code_signs_in_once_however_many_nodes_it_is_tried_on(make_server):
    c = start_nodes(make_server)
    phone = new_phone()
    assert c.node(0).request_code(phone).status_code == 202
    code = c.code(phone, 1)
    version = c.node(0).policy_version()

    def login(i):
        srv = c.node(i)
        r = srv.post("/v1/auth/login", s=new_session(),
                     json=srv.login_body(phone, code, "one-device", accept=version))
        return r.status_code, (r.json().get("token") if r.status_code == 200
                               else error_of(r)["code"])

    out = in_parallel(6, login)
    ok = [v for st, v in out if st == 200]
    assert len(ok) == 1, out
    assert all(v in ("invalid_code",) for st, v in out if st != 200), out
    r = c.node(1).get("/v1/me/devices", token=ok[0])
    assert r.status_code == 200 and len(r.json()["items"]) == 1
    # one account, one device, one session
    assert engine.connect(c.node(0).data_dir).execute(
        "SELECT COUNT(*) FROM users").fetchone()[0] == 1
    assert engine.connect(c.node(0).data_dir).execute(
        "SELECT COUNT(*) FROM sessions").fetchone()[0] == 1


def test_wrong_codes_tried_on_two_nodes_at_once_are_all_counted(make_server):
    c = start_nodes(make_server)
    phone = new_phone()
    assert c.node(0).request_code(phone).status_code == 202
    code = c.code(phone, 1)
    bad = wrong_code(code)

    def guess(i):
        srv = c.node(i)
        r = srv.post("/v1/auth/login", s=new_session(), json=srv.login_body(phone, bad))
        return error_of(r)["code"]

    out = in_parallel(12, guess)
    assert out.count("too_many_attempts") == 1, out  # the fifth wrong try, and only it
    con = engine.connect(c.node(0).data_dir)
    assert con.execute("SELECT MAX(attempts) FROM otp_codes").fetchone()[0] == MAX_ATTEMPTS
    con.close()
    # the right code comes too late: no try was left uncounted
    srv = c.node(1)
    r = srv.post("/v1/auth/login", json=srv.login_body(phone, code))
    assert r.status_code in (400, 401, 429) and error_of(r)["code"] in (
        "invalid_code", "too_many_attempts"), r.text


def test_the_per_address_code_limit_holds_across_nodes(make_server):
    c = start_nodes(make_server, "--sms-ip-limit", "6")
    phones = [new_phone() for _ in range(16)]

    def ask(i):
        return c.node(i).request_code(phones[i], s=new_session()).status_code

    out = in_parallel(16, ask)
    assert out.count(202) == 6 and out.count(429) == 10, out


def test_each_queued_sms_is_handed_to_the_provider_once(make_server):
    c = start_nodes(make_server)
    phones = [new_phone() for _ in range(12)]
    out = in_parallel(12, lambda i: c.node(i).request_code(phones[i], s=new_session()).status_code)
    assert out == [202] * 12
    for p in phones:
        c.code(p, 1)
    time.sleep(1.5)  # both workers have polled the outbox again since
    assert [len(c.sms(p)) for p in phones] == [1] * 12
    con = engine.connect(c.node(0).data_dir)
    assert con.execute("SELECT COUNT(*) FROM outbox").fetchone()[0] == 0
    # and each hand-over is recorded once (七.三 disclosure records)
    assert con.execute("SELECT COUNT(*) FROM disclosures").fetchone()[0] == 12
    con.close()


def test_the_audit_chain_does_not_fork_when_two_nodes_append_at_once(make_server):
    def staff(data_dir):
        for i in range(2):
            add_staff(data_dir, f"support{i}", "support")

    c = start_nodes(make_server, before_start=staff)
    users = []
    for i in range(8):
        token, j = c.sign_in(new_phone(), via=i)
        r = c.node(i).patch("/v1/me", token=token, json={"nickname": f"用户{i}"})
        assert r.status_code == 200
        users.append(j["user"]["id"])
    tokens = [staff_token(c.node(i), f"support{i}") for i in range(2)]

    def reveal(i):
        r = c.node(i).post(f"/v1/admin/users/{users[i]}/reveal", token=tokens[i % 2],
                           s=new_session(),
                           json={"categories": ["nickname"], "reason": f"ticket number {i}"})
        return r.status_code

    assert in_parallel(8, reveal) == [200] * 8
    out = wlk_ok(c.node(0).data_dir, "audit", "verify")
    con = engine.connect(c.node(0).data_dir)
    n = con.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0]
    seqs = [s for (s,) in con.execute("SELECT seq FROM audit_log ORDER BY seq")]
    con.close()
    assert "intact" in out and f"{n} records" in out, out
    assert seqs == list(range(1, n + 1))
    assert n >= 2 + 8 * 2  # staff.add x2, then per user a nickname change and a reveal
