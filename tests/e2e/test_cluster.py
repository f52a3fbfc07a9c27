"""Several `wlk serve` nodes on one PostgreSQL database and one NATS bus
(issue 12): a WebSocket on node A hears, live, what node B stored, both
devices of one user on different nodes stay in step, a sign-out through B
closes the user's socket on A, and /healthz and /metrics tell the bus's
state. nats-server (Debian) runs on a free loopback port per test.

Nodes share a database only on PostgreSQL, so these run in its pass."""
import json
import os
import signal
import shutil
import socket
import subprocess
import threading
import time

import pytest

import engine
from rights_helpers import step_up_code
from conftest import (SHARED_FLAGS, WLK_BIN, _recv_frame, eventually, full_history, jpeg_plain,
                      make_chat_user, message_events, new_session, open_conversation,
                      parse_metrics, post_message, push_lines, recv_event, send_text,
                      set_push_token, sync_all, upload_ok, ws_close, ws_closed_soon, ws_connect)

NATS_BIN = shutil.which("nats-server") or "/usr/sbin/nats-server"
pytestmark = pytest.mark.skipif(not engine.POSTGRES, reason=__doc__.split("\n\n")[1])

SUBSCRIBE_WAIT = 0.5  # a node's subscription reaches the NATS server asynchronously


class Nats:
    def __init__(self, base):
        self.base = base
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.proc = None
        self.url = f"nats://127.0.0.1:{self.port}"

    def start(self):
        self.proc = subprocess.Popen([NATS_BIN, "-a", "127.0.0.1", "-p", str(self.port)],
                                     stdout=subprocess.DEVNULL,
                                     stderr=open(self.base / "nats.log", "ab"))
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("nats-server did not start")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)


@pytest.fixture
def nats(tmp_path):
    n = Nats(tmp_path).start()
    yield n
    n.stop()


def two_nodes(make_server, bus_url, media_dir=None):
    media = ["--media-dir", str(media_dir)] if media_dir else []
    a = make_server(*SHARED_FLAGS, "--node-id", "1", "--bus", bus_url, *media)
    b = make_server(*SHARED_FLAGS, "--node-id", "2", "--bus", bus_url, "--master-key-file",
                    str(a.data_dir / "master.key"), *media, database_of=a.data_dir)
    a.sms_peers, b.sms_peers = [b], [a]
    return a, b


def metric(srv, name):
    return sum(v for n, _, v in parse_metrics(srv.get("/metrics").text) if n == name)


def closes_in_time(ws, t0, what):
    """The server closes ws, and within 1.5 s of t0 (the change's request)."""
    assert ws_closed_soon(ws), f"{what}: the socket on node A stayed open"
    assert time.monotonic() - t0 < 1.5, what


def test_a_socket_on_one_node_hears_live_what_another_node_stored(make_server, nats):
    a, b = two_nodes(make_server, nats.url)
    alice, bob = make_chat_user(a), make_chat_user(a)  # two devices each; tokens work on both
    conv = open_conversation(a, alice, bob)["id"]
    bob_on_a = ws_connect(a, bob.token)
    alice_on_a, alice_on_b = ws_connect(a, alice.tokens[0]), ws_connect(b, alice.tokens[1])
    try:
        time.sleep(SUBSCRIBE_WAIT)
        m = send_text(b, alice.token, conv, "跨节点")  # stored through node B
        for ws in (bob_on_a, alice_on_a, alice_on_b):  # the other node's sockets too
            assert recv_event(ws, "message.created")["data"]["message"]["id"] == m["id"]
        back = send_text(a, bob.token, conv, "回信")  # and the other way round
        for ws in (alice_on_a, alice_on_b):
            assert recv_event(ws, "message.created")["data"]["message"]["id"] == back["id"]
    finally:
        for ws in (bob_on_a, alice_on_a, alice_on_b):
            ws_close(ws)
    assert metric(b, "wlk_bus_publishes_total") >= 1
    assert metric(a, "wlk_bus_received_total") >= 1 and metric(b, "wlk_bus_received_total") >= 1


def test_sign_out_through_one_node_closes_the_socket_on_another(make_server, nats):
    a, b = two_nodes(make_server, nats.url)
    bob = make_chat_user(a)
    ws = ws_connect(a, bob.token)
    time.sleep(SUBSCRIBE_WAIT)
    t0 = time.monotonic()
    assert b.post("/v1/auth/logout", token=bob.token).status_code == 204
    closes_in_time(ws, t0, "sign-out")


def test_removing_a_device_or_cancelling_through_one_node_closes_sockets_on_another(make_server, nats):
    a, b = two_nodes(make_server, nats.url)
    bob = make_chat_user(a)
    phone_socket, other_socket = ws_connect(a, bob.tokens[0]), ws_connect(a, bob.tokens[1])
    time.sleep(SUBSCRIBE_WAIT)
    t0 = time.monotonic()  # the second device is removed through node B
    assert b.delete(f"/v1/me/devices/{bob.device_ids[1]}", token=bob.token).status_code == 204
    closes_in_time(other_socket, t0, "device removal")
    code = step_up_code(b, bob.token, bob.phone)
    t0 = time.monotonic()
    assert b.post("/v1/me/cancel", token=bob.token, json={"code": code}).status_code == 200
    closes_in_time(phone_socket, t0, "cancellation")


def test_withdrawing_the_policy_through_one_node_closes_the_socket_on_another(make_server, nats):
    a, b = two_nodes(make_server, nats.url)
    bob = make_chat_user(a)
    ws = ws_connect(a, bob.token)
    time.sleep(SUBSCRIBE_WAIT)
    code = step_up_code(b, bob.token, bob.phone)
    t0 = time.monotonic()
    assert b.delete("/v1/me/consents/policy", token=bob.token,
                    json={"code": code}).status_code == 204
    closes_in_time(ws, t0, "policy withdrawal")


def test_healthz_tells_the_bus_state_and_a_node_serves_while_it_is_down(make_server, nats):
    a, b = two_nodes(make_server, nats.url)
    assert a.get("/healthz").json() == {"status": "ok", "bus": "connected"}
    alice, bob = make_chat_user(a, devices=1), make_chat_user(a, devices=1)
    conv = open_conversation(a, alice, bob)["id"]
    nats.stop()
    assert eventually(lambda: a.get("/healthz").json()["bus"] == "reconnecting", timeout=10)
    sent = send_text(b, alice.token, conv, "总线断开时")  # stored and acknowledged regardless
    nats.start()
    assert eventually(lambda: a.get("/healthz").json()["bus"] == "connected", timeout=15)
    assert eventually(lambda: metric(a, "wlk_bus_reconnects_total") >= 1, timeout=10)
    # nothing was lost: the message is there, and a socket hears the next one live
    ws = ws_connect(a, bob.token, cursor=0)
    try:
        assert recv_event(ws, "message.created")["data"]["message"]["id"] == sent["id"]
        time.sleep(SUBSCRIBE_WAIT)
        again = send_text(b, alice.token, conv, "恢复后")
        assert recv_event(ws, "message.created")["data"]["message"]["id"] == again["id"]
    finally:
        ws_close(ws)


def test_a_node_without_a_bus_says_so(make_server):
    srv = make_server()
    assert srv.get("/healthz").json() == {"status": "ok", "bus": "local"}


def test_a_bad_bus_url_fails_at_start(make_server, tmp_path):
    p = subprocess.run([WLK_BIN, "serve", "--listen",
                        "127.0.0.1:0", "--data-dir", str(tmp_path / "d"), "--bus", "http://x"]
                       + engine.db_args(tmp_path / "d"),
                       capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert p.returncode == 1 and "--bus must be nats://" in p.stderr, p.stderr


def serve_cmd(tmp_path, node_id, first):
    d = tmp_path / f"node-{node_id}-{time.monotonic_ns()}"
    return [WLK_BIN, "serve", "--listen", "127.0.0.1:0", "--data-dir", str(d), "--node-id",
            str(node_id), "--master-key-file", str(first.data_dir / "master.key")] + \
        engine.db_args(first.data_dir)


def test_a_second_node_with_a_live_nodes_id_refuses_to_start(make_server, tmp_path):
    a = make_server(*SHARED_FLAGS, "--node-id", "7")
    t0 = time.monotonic()
    p = subprocess.run(serve_cmd(tmp_path, 7, a), capture_output=True, text=True, timeout=60,
                       stdin=subprocess.DEVNULL)
    assert p.returncode == 1, p.stderr
    assert "node-id 7 is held by another live process" in p.stderr, p.stderr
    assert "give each node its own --node-id" in p.stderr
    assert time.monotonic() - t0 < 15
    assert a.get("/healthz").status_code == 200  # the first one serves on


def test_the_id_of_a_node_that_died_is_free_again(make_server, tmp_path):
    a = make_server(*SHARED_FLAGS, "--node-id", "8")
    a.expect_clean_exit = False
    a.proc.kill()  # its lease stays in the table, no longer renewed
    a.proc.wait()
    t0 = time.monotonic()
    again = make_server(*SHARED_FLAGS, "--node-id", "8", "--master-key-file",
                        str(a.data_dir / "master.key"), database_of=a.data_dir)
    assert again.get("/healthz").json()["status"] == "ok"
    # same host and pid namespace, pid gone: taken over without waiting it out
    assert "node-id 8: its holder" in again.log_text() and "has exited" in again.log_text()
    assert "waiting to see whether it is alive" not in again.log_text()
    assert time.monotonic() - t0 < 5


def test_a_node_that_stops_renewing_loses_its_id_and_stops_when_it_wakes(make_server, tmp_path):
    a = make_server(*SHARED_FLAGS, "--node-id", "9")
    a.expect_clean_exit = False
    os.kill(a.proc.pid, signal.SIGSTOP)  # alive, but renews nothing
    try:
        b = make_server(*SHARED_FLAGS, "--node-id", "9", "--master-key-file",
                        str(a.data_dir / "master.key"), database_of=a.data_dir)
        assert "waiting to see whether it is alive" in b.log_text()
        assert b.get("/healthz").json()["status"] == "ok"
    finally:
        os.kill(a.proc.pid, signal.SIGCONT)
    # woken, it finds its id held by a live node and stops itself cleanly
    assert a.proc.wait(timeout=15) == 0
    assert "lease lost" in a.log_text()
    assert b.get("/healthz").status_code == 200


class Flow:
    """Messages sent one after another through node srv (HTTP, a client id
    each) until stopped or the node dies; acked: id -> Message."""

    def __init__(self, srv, token, conv, tag):
        self.srv, self.token, self.conv, self.tag = srv, token, conv, tag
        self.acked, self.failures, self.last_try = {}, [], None
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run)

    def run(self):
        s = new_session()
        i = 0
        while not self.stop.is_set():
            client_id = f"{self.tag}-{i}"
            self.last_try = client_id
            i += 1
            try:
                r = post_message(self.srv, self.token, self.conv, "text", {"text": client_id},
                                 client_id=client_id, s=s)
            except Exception:  # noqa: BLE001 - the node was killed
                break
            if r.status_code not in (200, 201):
                self.failures.append((client_id, r.status_code, r.text[:200]))
                break
            self.acked[r.json()["id"]] = r.json()
            time.sleep(0.005)
        s.close()

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(30)

    def wait(self, count, timeout=10):
        assert eventually(lambda: len(self.acked) >= count or self.failures, timeout=timeout)
        assert not self.failures, self.failures[:3]


class Listener:
    """Collects the message.created events a socket hears, in order."""

    def __init__(self, ws):
        self.ws, self.ids = ws, []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.stop.is_set():
            frame = _recv_frame(self.ws, 0.2)
            if frame is None:
                continue
            if frame[0] == "close":
                return
            o = json.loads(frame[1]) if frame[0] == "text" else {}
            ev = o.get("event") if o.get("type") == "event" else None
            if ev and ev["type"] == "message.created":
                self.ids.append(ev["data"]["message"]["id"])

    def close(self):
        self.stop.set()
        self.thread.join(5)
        ws_close(self.ws)


def assert_once_and_gapless(srv, token, conv, acked):
    items = full_history(srv, token, conv)
    assert [m["seq"] for m in items] == list(range(1, len(items) + 1)), "seqs with a gap"
    ids = [m["id"] for m in items]
    assert len(set(ids)) == len(ids), "a message stored twice"
    by_id = {m["id"]: m for m in items}
    lost = [i for i in acked if i not in by_id]
    assert not lost, f"{len(lost)} acknowledged messages lost"
    for mid, m in acked.items():
        assert by_id[mid] == m
    return items


def test_kill_9_of_a_node_while_messages_flow_loses_nothing(make_server, nats):
    a, b = two_nodes(make_server, nats.url)
    alice, bob = make_chat_user(a), make_chat_user(a)
    conv = open_conversation(a, alice, bob)["id"]
    listener = Listener(ws_connect(a, bob.tokens[1]))  # bob's other device, on the node that dies
    time.sleep(SUBSCRIBE_WAIT)
    with Flow(a, alice.token, conv, "k") as flow:
        flow.wait(40)
        a.expect_clean_exit = False
        a.proc.kill()  # SIGKILL mid-flow
        a.proc.wait()
    assert not flow.failures, flow.failures[:3]
    heard = list(listener.ids)
    listener.close()
    assert len(set(heard)) == len(heard), "one message heard twice"
    # the client retries its last try through node B: answered once, never stored twice
    r = post_message(b, alice.token, conv, "text", {"text": flow.last_try}, client_id=flow.last_try)
    assert r.status_code in (200, 201), r.text
    flow.acked[r.json()["id"]] = r.json()
    items = assert_once_and_gapless(b, bob.token, conv, flow.acked)
    assert len(items) == len(flow.acked)  # the retried one was either stored once or now
    # bob's device reconnects to node B and syncs: each message once, in order
    events, _ = sync_all(b, bob.tokens[1])
    assert [m["id"] for m in message_events(events, conv_id=conv)] == [m["id"] for m in items]


def test_nats_restarting_while_messages_flow_loses_and_duplicates_nothing(make_server, nats):
    a, b = two_nodes(make_server, nats.url)
    alice, bob = make_chat_user(a), make_chat_user(a)
    conv = open_conversation(a, alice, bob)["id"]
    listener = Listener(ws_connect(a, bob.token))  # hears node B's sends over the bus
    time.sleep(SUBSCRIBE_WAIT)
    acked = {}
    try:
        with Flow(b, alice.token, conv, "n") as flow:
            flow.wait(20)
            nats.stop()
            flow.wait(len(flow.acked) + 20)  # sends go on being stored and acknowledged
        acked.update(flow.acked)
        nats.start()
        # what was stored during the outage reaches the socket on A once the
        # bus is back, with no new message to carry it and no reconnect
        assert eventually(lambda: set(acked) <= set(listener.ids), timeout=15), \
            f"{len(set(acked) - set(listener.ids))} of {len(acked)} never heard"
        with Flow(b, alice.token, conv, "m") as flow:  # and it flows on live
            flow.wait(20)
        acked.update(flow.acked)
        assert eventually(lambda: set(acked) <= set(listener.ids), timeout=10)
        assert len(set(listener.ids)) == len(listener.ids), "one message heard twice"
    finally:
        listener.close()
    assert_once_and_gapless(a, bob.token, conv, acked)
    assert metric(a, "wlk_bus_reconnects_total") >= 1


def test_a_picture_uploaded_through_one_node_is_served_by_another(make_server, nats, tmp_path):
    a, b = two_nodes(make_server, nats.url, media_dir=tmp_path / "media")  # one shared directory
    alice, bob = make_chat_user(a, devices=1), make_chat_user(a, devices=1)
    conv = open_conversation(a, alice, bob)["id"]
    data = jpeg_plain()
    m = upload_ok(a, alice.token, data, "image/jpeg")
    r = post_message(b, alice.token, conv, "image", {"media_id": m["id"]})
    assert r.status_code == 201, r.text
    got = b.get(f"/v1/media/{m['id']}", token=bob.token)
    assert got.status_code == 200 and got.content == data
    assert not (a.data_dir / "media").exists()  # nothing in the node's own directory
    stored = [p.read_bytes() for p in (tmp_path / "media").iterdir()]
    assert len(stored) == 1 and data not in stored[0]  # one sealed file in the shared directory


def test_a_user_online_on_another_node_gets_no_push_and_one_offline_everywhere_does(make_server, nats):
    a, b = two_nodes(make_server, nats.url)
    alice, bob = make_chat_user(a, devices=1), make_chat_user(a, devices=1)
    conv = open_conversation(a, alice, bob)["id"]
    pt = set_push_token(a, bob.token, bob.device_ids[0])

    def pushes():  # any node's worker may hand a push over
        return len(push_lines(a, pt)) + len(push_lines(b, pt))

    ws = ws_connect(a, bob.token)  # bob is online on node A only
    try:
        time.sleep(SUBSCRIBE_WAIT)
        sent = send_text(b, alice.token, conv, "你在线")  # through node B, which holds no socket of bob
        assert recv_event(ws, "message.created")["data"]["message"]["id"] == sent["id"]
        time.sleep(1.0)  # the outbox runs at once after the commit; give it time to (not) push
        assert pushes() == 0, "a push to a user who was online on another node"
    finally:
        ws_close(ws, timeout=2)
    time.sleep(SUBSCRIBE_WAIT)  # gone from every node now: the next message is pushed
    send_text(b, alice.token, conv, "你离线")
    assert eventually(lambda: pushes() == 1, timeout=5)


def test_websocket_sends_into_the_same_conversations_through_two_nodes_all_complete(make_server, nats):
    """Each node group-commits its sockets' sends, one transaction per batch
    holding the batch's conversation locks: two nodes' batches over the same
    conversations must not wait for each other in a cycle (they did: a
    deadlock retried item by item never ended)."""
    a, b = two_nodes(make_server, nats.url)
    pairs = [(make_chat_user(a, devices=1), make_chat_user(a, devices=1)) for _ in range(16)]
    convs = [open_conversation(a, x, y)["id"] for x, y in pairs]
    per_socket, failures, acked = 40, [], []
    lock = threading.Lock()

    def burst(srv, token, order):
        ws = ws_connect(srv, token)
        try:
            for conv in order:  # every socket writes to its conversation, pipelined
                for i in range(per_socket):
                    ws.send(json.dumps({"type": "send", "req_id": f"{conv}-{i}", "conversation_id": conv,
                                        "client_id": f"{token[-6:]}-{i}", "kind": "text",
                                        "body": {"text": str(i)}}))
                got = 0
                while got < per_socket:
                    o = json.loads(_recv_frame(ws, 20)[1])
                    if o.get("type") == "ack":
                        got += 1
                        with lock:
                            acked.append(o["message"]["id"])
                    elif o.get("type") == "error":
                        failures.append(o)
                        return
        except Exception as ex:  # noqa: BLE001 - a timeout is the failure looked for
            failures.append(repr(ex))
        finally:
            ws_close(ws)

    threads = []
    for (x, y), conv in zip(pairs, convs):  # the two members of each pair on different nodes
        threads.append(threading.Thread(target=burst, args=(a, x.token, [conv])))
        threads.append(threading.Thread(target=burst, args=(b, y.token, [conv])))
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not failures, failures[:3]
    assert len(acked) == len(set(acked)) == 2 * per_socket * len(pairs)
    for (x, _), conv in zip(pairs, convs):
        items = full_history(a, x.token, conv)
        assert [m["seq"] for m in items] == list(range(1, 2 * per_socket + 1))
    assert time.monotonic() - t0 < 30
