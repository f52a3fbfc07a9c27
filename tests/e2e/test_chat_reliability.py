"""Reliability: every acknowledged message (HTTP 201/200 or WebSocket ack)
survives kill -9 at any moment, exactly once, with gapless seqs."""
import threading
import time

from conftest import (chat_server, full_history, make_chat_user, message_events, new_session,
                      open_conversation, post_message, send_text, sync_all, unique, ws_close,
                      ws_connect, ws_request)


def test_every_acknowledged_message_survives_kill_9_exactly_once(make_server):
    srv = chat_server(make_server)
    a = make_chat_user(srv)
    b = make_chat_user(srv)
    cid = open_conversation(srv, a, b)["id"]

    acked = {}          # message id -> Message as acknowledged
    lock = threading.Lock()
    stop = threading.Event()
    failures = []

    def record(m):
        with lock:
            prev = acked.get(m["id"])
            if prev is not None and prev != m:
                failures.append(("one id, two messages", prev, m))
            acked[m["id"]] = m

    def http_sender(token, tag):
        s = new_session()
        i = 0
        while not stop.is_set():
            client_id = f"{tag}-{i}"
            i += 1
            try:
                r = post_message(srv, token, cid, "text", {"text": client_id}, client_id=client_id, s=s)
            except Exception:  # noqa: BLE001 - the server was killed
                break
            if r.status_code in (200, 201):
                record(r.json())
            else:
                failures.append((client_id, r.status_code, r.content[:200]))
                break
        s.close()

    def ws_sender(token, tag):
        try:
            ws = ws_connect(srv, token)
        except Exception as e:  # noqa: BLE001
            failures.append(("ws connect", repr(e)))
            return
        i = 0
        while not stop.is_set():
            client_id = f"{tag}-{i}"
            i += 1
            try:
                reply = ws_request(ws, {"type": "send", "conversation_id": cid, "client_id": client_id,
                                        "kind": "text", "body": {"text": client_id}}, timeout=10)
            except Exception:  # noqa: BLE001 - the server was killed
                break
            if reply.get("type") == "ack":
                record(reply["message"])
            else:
                failures.append((client_id, reply))
                break
        ws_close(ws, timeout=0.1)

    threads = [threading.Thread(target=http_sender, args=(t, f"h{i}"))
               for i, t in enumerate(a.tokens + b.tokens)]
    threads += [threading.Thread(target=ws_sender, args=(t, f"w{i}"))
                for i, t in enumerate((a.tokens[1], b.tokens[0]))]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and len(acked) < 300 and not failures:
        time.sleep(0.01)
    srv.expect_clean_exit = False
    srv.proc.kill()  # SIGKILL mid-burst
    srv.proc.wait()
    stop.set()
    for t in threads:
        t.join(30)
    assert not failures, failures[:3]
    assert len(acked) >= 20, f"only {len(acked)} messages acknowledged before the kill"

    again = chat_server(make_server, data_dir=srv.data_dir)
    items = full_history(again, b.token, cid)
    seqs = [m["seq"] for m in items]
    assert seqs == list(range(1, len(items) + 1)), "seqs 1..last without gaps"
    ids = [m["id"] for m in items]
    assert len(set(ids)) == len(ids)
    by_id = {m["id"]: m for m in items}
    lost = [i for i in acked if i not in by_id]
    assert not lost, f"{len(lost)} acknowledged messages lost, e.g. {acked[lost[0]]}"
    for mid, m in acked.items():
        assert by_id[mid] == m, (m, by_id[mid])
    client_ids = [(m["sender_id"], m["client_id"]) for m in items]
    assert len(set(client_ids)) == len(client_ids), "a client_id stored twice"

    # every device's sync has each message exactly once, in seq order
    for token in (a.token, b.tokens[1]):
        events, _ = sync_all(again, token)
        msgs = message_events(events, conv_id=cid)
        assert [m["id"] for m in msgs] == ids

    # idempotency survives too; new messages continue the sequence
    some = next(iter(acked.values()))
    sender = a if some["sender_id"] == a.id else b
    r = post_message(again, sender.token, cid, "text", {"text": "retry"}, client_id=some["client_id"])
    assert r.status_code == 200 and r.json() == some
    nxt = send_text(again, a.token, cid, unique("after"))
    assert nxt["seq"] == len(items) + 1
