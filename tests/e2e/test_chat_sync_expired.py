"""A cursor the server can no longer serve (its events were pruned by the
retention sweeper) gets 410 cursor_expired, over HTTP and over the
WebSocket: never a partial catch-up. The client reloads and syncs from the
head."""
from conftest import (assert_error, chat_server, make_chat_user, open_conversation, recv_json,
                      send_text, sync_all, ws_close, ws_connect)
from retention_util import wlk_ok

SHARED = ("--sqlite-lock", "shared")
KEEP = ("--event-retention-days", "1")  # sessions (30 idle days) outlive it


def test_a_pruned_cursor_gets_410_and_the_head_still_syncs(make_server):
    srv = chat_server(make_server, *SHARED, *KEEP)
    a, b = make_chat_user(srv), make_chat_user(srv)
    cid = open_conversation(srv, a.token, b.id)["id"]
    for i in range(3):
        send_text(srv, a.token, cid, f"old {i}")
    events, head = sync_all(srv, b.token)
    assert len(events) >= 3
    # two days later the sweeper prunes the stream
    out = wlk_ok(srv.data_dir, "purge", *SHARED, *KEEP, "--now", "+2d")
    assert "events" in out
    r = srv.get("/v1/sync", token=b.token, params={"cursor": 0})
    assert assert_error(r, 410, "cursor_expired")["oldest_cursor"] == head, "where to read from"
    r = srv.get("/v1/sync", token=b.token, params={"cursor": head})
    assert r.status_code == 200 and r.json()["events"] == [], r.text
    ws = ws_connect(srv, b.token, cursor=0)
    try:
        frame = recv_json(ws)
        assert frame.get("type") == "error" and frame.get("code") == "cursor_expired", frame
        assert frame.get("oldest_cursor") == head, frame
    finally:
        ws_close(ws)
    # new events after the head are served as usual
    send_text(srv, a.token, cid, "new")
    events, _ = sync_all(srv, b.token, cursor=head)
    assert [e["type"] for e in events] == ["message.created"]
