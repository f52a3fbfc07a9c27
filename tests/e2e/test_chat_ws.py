"""The WebSocket /v1/ws: authentication before the upgrade, hello and
replay, live events on every device, client frames (send, read, ping),
malformed frames, frame size limit, heartbeat and idle timeout, slow
consumers and a thousand concurrent connections."""
import json
import resource
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

import pytest

from conftest import (_websocket, assert_ws_error, chat_server, full_history, healthy,
                      is_message_event, make_chat_user, message_events, new_session,
                      open_conversation, post_message, raw_closed, recv_event, recv_json,
                      recv_until, send_text, sync_all, sync_head, unique, ws_close, ws_closed,
                      ws_connect, ws_ping, ws_raw_connect, ws_request)


def _cid(srv, a, b):
    return open_conversation(srv, a, b)["id"]


# ------------------------------------------------------------ authentication

@pytest.mark.parametrize("how", ["bad", "missing", "empty"])
def test_a_bad_or_missing_token_is_401_before_the_upgrade(shared_server, how):
    websocket = _websocket()
    url = {"bad": f"ws://127.0.0.1:{shared_server.port}/v1/ws?token=nope-{unique()}",
           "missing": f"ws://127.0.0.1:{shared_server.port}/v1/ws",
           "empty": f"ws://127.0.0.1:{shared_server.port}/v1/ws?token="}[how]
    with pytest.raises(websocket.WebSocketBadStatusException) as ei:
        websocket.create_connection(url, timeout=5, http_no_proxy=["127.0.0.1"])
    assert ei.value.status_code == 401


def test_the_401_is_a_plain_http_error_response(shared_server):
    sock, status, head, rest = ws_raw_connect(shared_server, f"/v1/ws?token=bad-{unique()}")
    try:
        assert status == 401, head
        assert "upgrade: websocket" not in head.lower()
        assert "x-request-id:" in head.lower()
        body = rest
        sock.settimeout(2)
        try:
            while b'"unauthorized"' not in body:
                chunk = sock.recv(4096)
                if not chunk:
                    break
                body += chunk
        except OSError:
            pass
        assert b'"unauthorized"' in body, body[:300]
    finally:
        sock.close()


def test_a_bad_token_in_the_protocol_header_is_401(shared_server):
    sock, status, head, _ = ws_raw_connect(
        shared_server, "/v1/ws", headers=[f"Sec-WebSocket-Protocol: wlk, bad-{unique()}"])
    sock.close()
    assert status == 401, head


def test_a_logged_out_token_is_401(shared_server):
    token, _, _ = shared_server.new_user()
    ws = ws_connect(shared_server, token)
    ws_close(ws)
    assert shared_server.post("/v1/auth/logout", token=token).status_code == 204
    sock, status, head, _ = ws_raw_connect(shared_server, f"/v1/ws?token={quote(token)}")
    sock.close()
    assert status == 401, head


def test_the_token_in_sec_websocket_protocol_works_and_wlk_is_answered(shared_server, two_users,
                                                                       open_ws):
    a, b = two_users
    ws = open_ws(shared_server, a.token, protocol=True)
    headers = {k.lower(): v for k, v in (ws.getheaders() or {}).items()}
    assert headers.get("sec-websocket-protocol", "").strip() == "wlk", headers
    cid = _cid(shared_server, a, b)
    m = send_text(shared_server, b.token, cid)
    recv_until(ws, is_message_event(m["id"]))
    ws_ping(ws)


def test_the_protocol_list_without_a_space_works_too(shared_server, two_users):
    a, _ = two_users
    websocket = _websocket()
    ws = websocket.create_connection(f"ws://127.0.0.1:{shared_server.port}/v1/ws",
                                     subprotocols=["wlk", a.token], timeout=5,
                                     http_no_proxy=["127.0.0.1"])
    try:
        assert ws.getsubprotocol() == "wlk"
        assert recv_json(ws)["type"] == "hello"
    finally:
        ws_close(ws)


# ------------------------------------------------------------ hello, replay

def test_hello_names_the_stream_head(shared_server, two_users, open_ws):
    a, b = two_users
    cid = _cid(shared_server, a, b)
    send_text(shared_server, b.token, cid)
    head = sync_head(shared_server, a.token)
    ws = open_ws(shared_server, a.token)
    assert ws.hello["cursor"] == head
    m = send_text(shared_server, b.token, cid)
    ev = recv_event(ws, "message.created")
    assert ev["data"]["message"] == m
    assert ev["seq"] > head


def test_a_cursor_replays_the_missed_events_before_live_ones(shared_server, two_users, open_ws):
    a, b = two_users
    cid = _cid(shared_server, a, b)
    first = send_text(shared_server, b.token, cid)
    cursor = sync_head(shared_server, a.tokens[1])
    missed = [send_text(shared_server, b.token, cid) for _ in range(5)]
    shared_server.post(f"/v1/conversations/{cid}/read", token=b.token, json={"seq": 6})
    want, head = sync_all(shared_server, a.tokens[1], cursor=cursor)
    ws = open_ws(shared_server, a.tokens[1], cursor=cursor)
    assert ws.hello["cursor"] == cursor
    got = []
    while len(got) < len(want):
        f = recv_json(ws)
        assert f["type"] == "event", f
        got.append(f["event"])
    assert got == want
    assert [m["id"] for m in message_events(got)] == [m["id"] for m in missed]
    assert first["id"] not in [m["id"] for m in message_events(got)]
    live = send_text(shared_server, b.token, cid)
    f = recv_json(ws)
    assert f["type"] == "event" and f["event"]["type"] == "message.created", f
    assert f["event"]["data"]["message"]["id"] == live["id"]
    assert f["event"]["seq"] > head


def test_a_cursor_of_zero_replays_everything(shared_server, two_users, open_ws):
    a, b = two_users
    cid = _cid(shared_server, a, b)
    send_text(shared_server, a.token, cid)
    want, _ = sync_all(shared_server, b.token)
    ws = open_ws(shared_server, b.token, cursor=0)
    assert ws.hello["cursor"] == 0
    got = [recv_json(ws)["event"] for _ in want]
    assert got == want


# ------------------------------------------------------------- live events

def test_a_message_reaches_every_device_of_both_users(shared_server, two_users, open_ws):
    a, b = two_users
    cid = _cid(shared_server, a, b)
    conns = [open_ws(shared_server, t) for t in a.tokens + b.tokens]
    m = send_text(shared_server, b.token, cid, "to everyone")
    for ws in conns:
        ev = recv_event(ws, "message.created")
        assert ev["data"]["message"] == m
        assert isinstance(ev["seq"], int) and isinstance(ev["at"], int)


def test_read_and_recall_reach_the_peer_and_the_senders_other_device(shared_server, two_users,
                                                                     open_ws):
    a, b = two_users
    cid = _cid(shared_server, a, b)
    m = send_text(shared_server, a.token, cid)
    others = {"a2": open_ws(shared_server, a.tokens[1]), "b1": open_ws(shared_server, b.token),
              "b2": open_ws(shared_server, b.tokens[1])}
    r = shared_server.post(f"/v1/conversations/{cid}/read", token=b.token, json={"seq": m["seq"]})
    assert r.status_code == 204
    for name, ws in others.items():
        ev = recv_event(ws, "conversation.read")
        assert ev["data"] == {"conversation_id": cid, "user_id": b.id, "seq": m["seq"]}, name
    r = shared_server.post(f"/v1/messages/{m['id']}/recall", token=a.token)
    assert r.status_code == 200
    for name, ws in others.items():
        ev = recv_event(ws, "message.recalled")
        assert ev["data"]["message"] == r.json(), name
        assert ev["data"]["message"]["body"] is None


def test_conversation_created_reaches_both_users(shared_server, two_users, open_ws):
    a, b = two_users
    wa = open_ws(shared_server, a.tokens[1])
    wb = open_ws(shared_server, b.tokens[1])
    c = open_conversation(shared_server, a, b)
    assert recv_event(wa, "conversation.created")["data"]["conversation"]["id"] == c["id"]
    ev = recv_event(wb, "conversation.created")
    assert ev["data"]["conversation"]["id"] == c["id"]
    assert ev["data"]["conversation"]["peer"]["id"] == a.id


def test_live_events_match_sync(shared_server, two_users, open_ws):
    a, b = two_users
    ws = open_ws(shared_server, b.tokens[1])
    start = ws.hello["cursor"]
    cid = _cid(shared_server, a, b)
    m = send_text(shared_server, a.token, cid)
    shared_server.post(f"/v1/conversations/{cid}/read", token=b.token, json={"seq": m["seq"]})
    want, _ = sync_all(shared_server, b.tokens[1], cursor=start)
    got = [recv_until(ws, lambda f: f.get("type") == "event")["event"] for _ in want]
    assert got == want


# ------------------------------------------------------------ client frames

def test_send_over_ws_is_acked_with_the_message_and_reaches_the_others(shared_server, two_users,
                                                                       open_ws):
    a, b = two_users
    cid = _cid(shared_server, a, b)
    wa1 = open_ws(shared_server, a.token)
    wa2 = open_ws(shared_server, a.tokens[1])
    wb = open_ws(shared_server, b.token)
    ack = ws_request(wa1, {"type": "send", "req_id": "s-1", "conversation_id": cid,
                           "client_id": "ws-c1", "kind": "text", "body": {"text": "over ws"}})
    assert ack["type"] == "ack" and ack["req_id"] == "s-1", ack
    m = ack["message"]
    assert m["seq"] == 1 and m["sender_id"] == a.id and m["client_id"] == "ws-c1"
    assert m["body"] == {"text": "over ws"} and m["kind"] == "text"
    for ws in (wa2, wb):
        assert recv_event(ws, "message.created")["data"]["message"] == m
    # same client_id again: the same message, no new event
    again = ws_request(wa1, {"type": "send", "req_id": "s-2", "conversation_id": cid,
                             "client_id": "ws-c1", "kind": "text", "body": {"text": "other"}})
    assert again["type"] == "ack" and again["message"] == m
    r = post_message(shared_server, a.tokens[1], cid, "text", {"text": "x"}, client_id="ws-c1")
    assert r.status_code == 200 and r.json() == m
    items = shared_server.get(f"/v1/conversations/{cid}/messages", token=b.token).json()["items"]
    assert items == [m]


def test_read_over_ws_is_acked_and_reaches_the_peer(shared_server, two_users, open_ws):
    a, b = two_users
    cid = _cid(shared_server, a, b)
    m = send_text(shared_server, a.token, cid)
    wb = open_ws(shared_server, b.token)
    wa = open_ws(shared_server, a.token)
    ack = ws_request(wb, {"type": "read", "req_id": "rd-1", "conversation_id": cid, "seq": m["seq"]})
    assert ack == {"type": "ack", "req_id": "rd-1"}
    ev = recv_event(wa, "conversation.read")
    assert ev["data"] == {"conversation_id": cid, "user_id": b.id, "seq": m["seq"]}
    conv = shared_server.get(f"/v1/conversations/{cid}", token=a.token).json()
    assert conv["peer_read_seq"] == m["seq"]


def test_ping_is_answered_with_pong_and_its_req_id(shared_server, two_users, open_ws):
    a, _ = two_users
    ws = open_ws(shared_server, a.token)
    reply = ws_request(ws, {"type": "ping", "req_id": "p-42"})
    assert reply == {"type": "pong", "req_id": "p-42"}


@pytest.mark.parametrize("frame,code,field", [
    ({"type": "send", "client_id": "c", "kind": "text", "body": {"text": "x"}},
     "validation_failed", "conversation_id"),
    ({"type": "send", "conversation_id": "$CID", "kind": "text", "body": {"text": "x"}},
     "validation_failed", "client_id"),
    ({"type": "send", "conversation_id": "$CID", "client_id": "c", "body": {"text": "x"}},
     "validation_failed", "kind"),
    ({"type": "send", "conversation_id": "$CID", "client_id": "c", "kind": "text"},
     "validation_failed", "body"),
    ({"type": "send", "conversation_id": "$CID", "client_id": "c", "kind": "text", "body": {"text": ""}},
     "validation_failed", "body.text"),
    ({"type": "send", "conversation_id": "$CID", "client_id": "c", "kind": "call",
      "body": {"call_id": "x", "outcome": "missed", "duration_ms": 0}}, "validation_failed", "kind"),
    ({"type": "read", "conversation_id": "$CID"}, "validation_failed", "seq"),
    ({"type": "read", "conversation_id": "$CID", "seq": 99}, "validation_failed", "seq"),
    ({"type": "read", "seq": 0}, "validation_failed", "conversation_id"),
    ({"type": "send", "conversation_id": "987654321987", "client_id": "c", "kind": "text",
      "body": {"text": "x"}}, "not_found", None),
    ({"type": "teleport"}, "validation_failed", "type"),
])
def test_a_bad_frame_gets_an_error_frame_and_the_connection_stays_up(shared_server, two_users,
                                                                     open_ws, frame, code, field):
    a, b = two_users
    cid = _cid(shared_server, a, b)
    ws = open_ws(shared_server, a.token)
    frame = {k: (cid if v == "$CID" else v) for k, v in frame.items()}
    frame["req_id"] = unique("bad")
    reply = ws_request(ws, frame)
    assert_ws_error(reply, code, field=field, req_id=frame["req_id"])
    ws_ping(ws)
    assert shared_server.get(f"/v1/conversations/{cid}/messages", token=b.token).json()["items"] == []


def test_a_frame_without_a_type_is_an_error(shared_server, two_users, open_ws):
    a, _ = two_users
    ws = open_ws(shared_server, a.token)
    ws.send(json.dumps({"req_id": "nt-1"}))
    f = recv_until(ws, lambda f: f.get("type") == "error")
    assert_ws_error(f, "validation_failed", field="type")
    ws_ping(ws)


@pytest.mark.parametrize("payload", ["{not json", "", "[1,2,3]", '"ping"', "42", "null",
                                     '{"type":"ping","req_id":"x"'])
def test_malformed_json_gets_invalid_json_and_the_connection_stays_up(shared_server, two_users,
                                                                      open_ws, payload):
    a, _ = two_users
    ws = open_ws(shared_server, a.token)
    ws.send(payload)
    f = recv_until(ws, lambda f: f.get("type") == "error")
    assert_ws_error(f, "invalid_json")
    ws_ping(ws)


def test_a_binary_frame_gets_invalid_json_and_the_connection_stays_up(shared_server, two_users,
                                                                      open_ws):
    a, _ = two_users
    ws = open_ws(shared_server, a.token)
    ws.send_binary(json.dumps({"type": "ping", "req_id": "bin"}).encode())
    f = recv_until(ws, lambda f: f.get("type") in ("error", "pong"))
    assert_ws_error(f, "invalid_json")
    ws_ping(ws)


def test_a_60_kib_frame_is_read_and_a_70_kib_frame_closes_the_connection(shared_server, two_users,
                                                                         open_ws):
    a, _ = two_users
    ws = open_ws(shared_server, a.token)
    ws.send("{" + "x" * (60 * 1024))
    assert_ws_error(recv_until(ws, lambda f: f.get("type") == "error"), "invalid_json")
    ws_ping(ws)
    try:
        ws.send(json.dumps({"type": "ping", "req_id": "big", "pad": "x" * (70 * 1024)}))
    except (OSError, _websocket().WebSocketConnectionClosedException):
        pass
    assert ws_closed(ws, timeout=5), "a 70 KiB frame did not close the connection"
    healthy(shared_server)
    ws2 = ws_connect(shared_server, a.token)
    ws_ping(ws2)
    ws_close(ws2)


def test_many_bad_frames_in_a_row_do_not_break_the_connection(shared_server, two_users, open_ws):
    a, b = two_users
    cid = _cid(shared_server, a, b)
    ws = open_ws(shared_server, a.token)
    for i in range(50):
        ws.send(["{", "[]", json.dumps({"type": "nope", "req_id": str(i)})][i % 3])
    for i in range(50):
        assert recv_json(ws)["type"] == "error"
    ack = ws_request(ws, {"type": "send", "conversation_id": cid, "client_id": "after-bad",
                          "kind": "text", "body": {"text": "still here"}})
    assert ack["type"] == "ack" and ack["message"]["seq"] == 1
    healthy(shared_server)


# -------------------------------------------------------- heartbeat, idle

def test_a_silent_client_is_closed_after_the_idle_timeout_while_a_ponging_one_stays(make_server):
    srv = chat_server(make_server, "--ws-idle-timeout", "2", "--ws-ping-interval", "1")
    a = make_chat_user(srv, devices=1)
    sock, status, head, rest = ws_raw_connect(srv, f"/v1/ws?token={quote(a.token)}")
    assert status == 101, head
    alive = ws_connect(srv, a.token)
    result = {}
    opcodes = []

    def watch():
        result["closed_after"] = raw_closed(sock, timeout=8, rest=rest, opcodes=opcodes)

    t = threading.Thread(target=watch)
    t.start()
    try:
        # websocket-client answers the server's pings while it reads: never idle
        assert not ws_closed(alive, timeout=3.5), "a client answering pings was closed"
        ws_ping(alive)
    finally:
        t.join(10)
        sock.close()
        ws_close(alive)
    closed = result.get("closed_after")
    assert closed is not None, "a silent client was not closed within 8 s"
    assert 1.0 <= closed <= 5.5, closed
    assert 0x9 in opcodes, f"no WebSocket ping from the server (opcodes {opcodes})"
    healthy(srv)


# ------------------------------------------------------------ slow consumer

def test_a_slow_consumer_is_disconnected_while_the_other_device_keeps_receiving(make_server):
    srv = chat_server(make_server, "--ws-max-queue", "65536")
    a = make_chat_user(srv)
    b = make_chat_user(srv)
    cid = _cid(srv, a, b)
    start = sync_head(srv, b.token)
    # b's first device: completes the handshake, then never reads (tiny receive buffer)
    slow, status, head, rest = ws_raw_connect(srv, f"/v1/ws?token={quote(b.token)}", rcvbuf=4096)
    assert status == 101, head
    good = ws_connect(srv, b.tokens[1], timeout=10)

    total = 400
    text = "汉" * 4000
    received = set()
    reader_error = []

    def reader():
        try:
            while len(received) < total:
                ev = recv_event(good, "message.created", timeout=30)
                received.add(ev["data"]["message"]["id"])
        except Exception as e:  # noqa: BLE001 - reported below
            reader_error.append(repr(e))

    rt = threading.Thread(target=reader)
    rt.start()
    # The device that reads is kept in step (at most two messages ahead of
    # it), so its backlog always fits in the socket buffers however slowly
    # Python reads; the one that never reads falls ever further behind.
    acked = []
    s = new_session()
    for i in range(total):
        r = post_message(srv, a.tokens[i % 2], cid, "text", {"text": text}, s=s)
        assert r.status_code == 201, r.status_code
        acked.append(r.json()["id"])
        if i % 2 == 1:
            deadline = time.monotonic() + 10
            while len(received) < len(acked) and not reader_error and time.monotonic() < deadline:
                time.sleep(0.0005)
    s.close()
    rt.join(60)
    try:
        assert not reader_error, reader_error
        assert received == set(acked), "the device that reads lost events"
        closed = raw_closed(slow, timeout=8, rest=rest)
        assert closed is not None, "the slow consumer was never disconnected"
        healthy(srv)
        ws_ping(good)
    finally:
        slow.close()
        ws_close(good)
    # it catches up through sync
    events, _ = sync_all(srv, b.token, cursor=start)
    synced = [m["id"] for m in message_events(events, conv_id=cid)]
    assert synced == [m["id"] for m in full_history(srv, b.token, cid)]
    assert sorted(synced) == sorted(acked)
    # and can connect again
    again = ws_connect(srv, b.token, cursor=start)
    try:
        assert again.hello["cursor"] == start
        ws_ping(again, timeout=15)
    finally:
        ws_close(again)


# ------------------------------------------------------ 1000 connections

def _raise_fd_limit(want):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or soft >= want:
        return
    new = want if hard == resource.RLIM_INFINITY else min(want, hard)
    resource.setrlimit(resource.RLIMIT_NOFILE, (new, hard))


def test_a_thousand_concurrent_websocket_connections_each_get_the_event(make_server):
    _raise_fd_limit(8192)  # before the server starts: it inherits the limit
    srv = chat_server(make_server)
    a = make_chat_user(srv)
    b = make_chat_user(srv)
    cid = _cid(srv, a, b)
    tokens = (a.tokens + b.tokens) * 250
    conns = []
    lock = threading.Lock()

    def connect(token):
        ws = ws_connect(srv, token, timeout=30)
        with lock:
            conns.append((token, ws))

    try:
        with ThreadPoolExecutor(32) as ex:
            for f in [ex.submit(connect, t) for t in tokens]:
                f.result()
        assert len(conns) == 1000
        healthy(srv)
        m = send_text(srv, a.token, cid, "to a thousand sockets")

        def check(item):
            _, ws = item
            ev = recv_event(ws, "message.created", timeout=30)
            return ev["data"]["message"]["id"]

        with ThreadPoolExecutor(32) as ex:
            got = list(ex.map(check, conns))
        assert got == [m["id"]] * 1000
        # and they still answer
        with ThreadPoolExecutor(32) as ex:
            list(ex.map(lambda item: ws_ping(item[1], timeout=30), conns[::50]))
        healthy(srv)
    finally:
        for _, ws in conns:
            try:
                ws.shutdown()
            except Exception:  # noqa: BLE001
                pass
    time.sleep(0.2)
    healthy(srv)
