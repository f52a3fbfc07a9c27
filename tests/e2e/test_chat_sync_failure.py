"""A sync never skips an event silently (issue 11, 5): an event whose data
cannot be rendered fails the read (500, logged with its request id,
counted in /metrics), over HTTP and over the WebSocket, and the cursor does
not move past it; an event whose subject is gone is a well-formed
placeholder."""
import engine

from conftest import (assert_error, chat_server, make_chat_user, open_conversation, parse_metrics,
                      recv_json, send_text, sync_all, unique, ws_close, ws_connect, ws_request)


def test_an_event_that_cannot_be_rendered_fails_the_sync_instead_of_being_skipped(make_server):
    srv = chat_server(make_server)
    a, b = make_chat_user(srv, devices=1), make_chat_user(srv, devices=1)
    cid = open_conversation(srv, a, b)["id"]
    ws = ws_connect(srv, a.token)
    try:
        f = {"type": "call", "req_id": unique("r"), "conversation_id": cid,
             "call_id": unique("call"), "action": "invite", "data": {"media": "audio"}}
        assert ws_request(ws, f)["type"] == "ack"
    finally:
        ws_close(ws)
    send_text(srv, a.token, cid, "after the call")
    events, head = sync_all(srv, b.token)
    call = [e for e in events if e["type"] == "call"][0]
    before = call["seq"] - 1
    srv.stop()
    con = engine.connect(srv.data_dir)
    key = (int(b.id), call["seq"])
    (sealed,) = con.execute("SELECT data_enc FROM events WHERE user_id = ? AND seq = ?",
                            key).fetchone()
    n = con.execute("UPDATE events SET data_enc = ? WHERE user_id = ? AND seq = ?",
                    (bytes(len(sealed)), *key)).rowcount
    con.commit()
    con.close()
    assert n == 1
    srv.start()
    r = srv.get("/v1/sync", token=b.token, params={"cursor": before})
    err = assert_error(r, 500, "internal")
    assert srv.wait_log(lambda o: o.get("msg") == "internal error"
                        and err["request_id"] in o.get("detail", "")), "logged with its id"
    rows = parse_metrics(srv.get("/metrics").text)
    assert any(n == "wlk_http_requests_total" and lb.get("route") == "/v1/sync"
               and lb.get("status") == "500" and v >= 1 for n, lb, v in rows)
    # the same cursor still fails: the event was not skipped
    assert_error(srv.get("/v1/sync", token=b.token, params={"cursor": before}), 500, "internal")
    ws = ws_connect(srv, b.token, cursor=before)
    try:
        frame = recv_json(ws)
        assert frame.get("type") == "error" and frame.get("code") == "internal", frame
    finally:
        ws_close(ws)
    # past it, the stream reads as before
    r = srv.get("/v1/sync", token=b.token, params={"cursor": call["seq"]})
    assert r.status_code == 200
    assert [e["data"]["message"]["body"]["text"] for e in r.json()["events"]
            if e["type"] == "message.created"] == ["after the call"]
