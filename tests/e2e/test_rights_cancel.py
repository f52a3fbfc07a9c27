"""七.四 account cancellation: after it no canary of the user is readable
anywhere (API, database and WAL bytes, logs) except the restricted legal
records; the token is dead; the peer keeps the messages, sent by
已注销用户; the phone can sign up again as a new account."""

import pytest

import engine

from conftest import (CHAT_FLAGS, assert_error, assert_ws_error, db_file_bytes, full_history,
                      png_bytes, post_message, sync_all, upload_ok, wrong_code, ws_close,
                      ws_connect, ws_request)
from retention_util import wlk_ok
from rights_helpers import Planted, cancel, export, step_up_code

CANCELLED = "已注销用户"


@pytest.fixture
def world(make_server):
    srv = make_server(*CHAT_FLAGS)
    a = Planted(srv, "a")
    b = Planted(srv, "b")
    cid = a.chat_with(b)
    b.chat_with(a, cid)
    shared = upload_ok(srv, a.token, png_bytes(3000), "image/png")
    r = post_message(srv, a.token, cid, "image", {"media_id": shared["id"]})
    assert r.status_code == 201, r.content[:300]
    alone = upload_ok(srv, a.token, png_bytes(4000), "image/png")
    return srv, a, b, cid, shared, alone


def _db(srv):
    return engine.connect(srv.data_dir, readonly=True)


def test_after_cancel_no_canary_of_the_user_is_readable_anywhere(world):
    srv, a, b, cid, shared, alone = world
    report = cancel(srv, a.token, a.phone)
    assert report["user_id"] == a.id and report["data_key_destroyed"] is True
    assert_error(srv.get("/v1/me", token=a.token), 401, "unauthorized")
    # B's view: A's messages stay, with no link to A
    seen = [srv.get(f"/v1/conversations/{cid}", token=b.token).text,
            srv.get("/v1/conversations", token=b.token).text,
            str(full_history(srv, b.token, cid)), str(sync_all(srv, b.token)[0]),
            export(srv, b.token, b.phone).text]
    for text in seen:
        for v in a.values:
            assert v not in text, f"A's {v} still shown to B"
        assert a.id not in text, "the old account id still links B's views to A"
    db = db_file_bytes(srv)
    for v in a.all_values:
        assert v.encode() not in db, f"A's {v} in the database bytes"
    assert a.phone.encode() not in db
    assert (srv.data_dir / "media" / alone["id"]).exists() is False
    assert (srv.data_dir / "media" / shared["id"]).exists(), "B still sees the shared picture"
    srv.stop()
    log = srv.log_text()
    for v in a.all_values + [a.phone]:
        assert v not in log, f"A's {v} in the server log"


def test_the_peer_still_sees_the_messages_sent_by_a_cancelled_user(world):
    srv, a, b, cid, shared, _ = world
    before = full_history(srv, b.token, cid)
    cancel(srv, a.token, a.phone)
    after = full_history(srv, b.token, cid)
    assert [m["id"] for m in after] == [m["id"] for m in before]
    for old, new in zip(before, after):
        assert new["body"] == old["body"]
        if old["sender_id"] == a.id:
            assert new["sender_id"] is None and new["sender_name"] == CANCELLED
        else:
            assert new["sender_id"] == b.id and "sender_name" not in new
    conv = srv.get(f"/v1/conversations/{cid}", token=b.token).json()
    assert conv["peer"] == {"id": None, "nickname": CANCELLED, "cancelled": True,
                            "avatar_media_id": None}
    assert srv.get(f"/v1/media/{shared['id']}", token=b.token).status_code == 200
    r = post_message(srv, b.token, cid, "text", {"text": "still there?"})
    assert_error(r, 403, "forbidden")
    # nor can the peer call the cancelled account
    ws = ws_connect(srv, b.token)
    try:
        reply = ws_request(ws, {"type": "call", "conversation_id": cid, "call_id": "c-after",
                                "action": "invite", "data": {}})
        assert_ws_error(reply, "forbidden")
    finally:
        ws_close(ws)


def test_the_phone_signs_up_again_as_a_new_account(world):
    srv, a, b, cid, _, _ = world
    cancel(srv, a.token, a.phone)
    token, j = srv.login(a.phone, device_id="dev-1")
    assert j.get("new_user") is True or j["user"]["id"] != a.id
    assert j["user"]["id"] != a.id and j["user"]["nickname"] is None
    assert srv.get("/v1/conversations", token=token).json()["items"] == []
    consents = srv.get("/v1/me/consents", token=token).json()["items"]
    assert [c["scope"] for c in consents] == ["policy"]
    # a new conversation with B, not the old one
    r = srv.post("/v1/conversations", token=token, json={"peer_id": b.id})
    assert r.status_code == 201 and r.json()["id"] != cid


def test_the_erasure_report_walks_the_stores_and_says_why(world):
    srv, a, _, _, _, _ = world
    report = cancel(srv, a.token, a.phone)
    by = {(s["category"], s["table"]): s for s in report["stores"]}
    assert by[("phone", "users")]["deleted"] == 1
    assert by[("device_info", "devices")]["deleted"] == 1
    assert by[("device_info", "sessions")]["deleted"] == 1
    assert by[("push_token", "push_tokens")]["deleted"] == 1
    assert by[("chat_content", "messages")]["anonymised"] == 4
    assert by[("chat_content", "media")]["deleted"] == 1
    assert by[("chat_content", "media")]["anonymised"] == 1
    # the two grants (policy, location), and the withdrawal that ends each
    # with the account: the legal record's 3 years run from it
    assert by[("consent_records", "consents")]["kept"] == 4
    assert by[("consent_records", "consents")]["deleted"] == 0
    for s in report["stores"]:
        assert s["why"] and s["action"] in ("delete", "anonymise", "restrict")


def test_restricted_records_are_kept_and_the_cancellation_is_audited(world):
    srv, a, b, _, _, _ = world
    cancel(srv, a.token, a.phone)
    srv.stop()
    with _db(srv) as db:
        uid = int(a.id)
        assert db.execute("SELECT COUNT(*) FROM users WHERE id = ?", (uid,)).fetchone() == (0,)
        for table in ("devices", "sessions", "push_tokens", "events", "security_events", "members"):
            assert db.execute(f"SELECT COUNT(*) FROM {table} WHERE user_id = ?",
                              (uid,)).fetchone() == (0,), table
        assert db.execute("SELECT COUNT(*) FROM messages WHERE sender_id = ?",
                          (uid,)).fetchone() == (0,)
        ledger = db.execute("SELECT scope, granted FROM consents WHERE user_id = ? "
                            "ORDER BY at, id", (uid,)).fetchall()
        assert len(ledger) == 4 and sorted(ledger[-2:]) == [("location", 0), ("policy", 0)]
        rows = db.execute("SELECT actor, categories, detail FROM audit_log WHERE subject_id = ? "
                          "AND action = 'account.cancel'", (uid,)).fetchall()
        assert len(rows) == 1 and rows[0][0] == f"user:{a.id}"
        assert a.phone not in str(rows) and a.nickname not in str(rows)


def test_a_wrong_code_cancels_nothing(world):
    srv, a, _, _, _, _ = world
    code = step_up_code(srv, a.token, a.phone)
    assert_error(srv.post("/v1/me/cancel", token=a.token, json={"code": wrong_code(code)}), 401,
                 "verification_required")
    assert_error(srv.post("/v1/me/cancel", token=a.token, json={}), 401, "verification_required")
    assert srv.get("/v1/me", token=a.token).status_code == 200
    assert srv.get("/v1/conversations", token=a.token).json()["items"]


@pytest.mark.parametrize("body,status,code,field", [
    ({"code": ["1"]}, 422, "validation_failed", "code"),
    ({"code": "123456", "reason": "bye"}, 422, "validation_failed", "reason"),
    ("{", 400, "invalid_json", None),
], ids=["list", "unknown", "broken"])
def test_a_bad_cancel_request_is_a_clear_4xx(world, body, status, code, field):
    srv, a, _, _, _, _ = world
    if isinstance(body, str):
        r = srv.post("/v1/me/cancel", token=a.token, data=body,
                     headers={"Content-Type": "application/json"})
    else:
        r = srv.post("/v1/me/cancel", token=a.token, json=body)
    assert_error(r, status, code, field=field)
    assert srv.get("/v1/me", token=a.token).status_code == 200


def test_corrections_are_audited_without_values(world):
    srv, a, _, _, _, _ = world
    r = srv.patch("/v1/me", token=a.token, json={"nickname": "cnyNewNick42", "role": "agent"})
    assert r.status_code == 200
    srv.stop()
    with _db(srv) as db:
        rows = db.execute("SELECT actor, categories, detail FROM audit_log WHERE subject_id = ? "
                          "AND action = 'profile.correct' ORDER BY seq", (int(a.id),)).fetchall()
    assert rows[-1][0] == f"user:{a.id}" and rows[-1][1] == "nickname"
    assert '"role"' in rows[-1][2] and "cnyNewNick42" not in str(rows)
    assert a.nickname not in str(rows)


def test_the_legal_record_of_consents_is_kept_3_years_from_the_cancellation(world):
    srv, a, _, _, _, _ = world
    cancel(srv, a.token, a.phone)
    srv.stop()
    srv.assert_clean()
    uid = int(a.id)

    def ledger():
        db = _db(srv)  # closed at once: the purge below locks the file
        try:
            return db.execute("SELECT COUNT(*) FROM consents WHERE user_id = ?",
                              (uid,)).fetchone()[0]
        finally:
            db.close()
    assert ledger() == 4
    wlk_ok(srv.data_dir, "purge", "--now", "+1094d")  # within 3 years of the cancellation
    assert ledger() == 4
    wlk_ok(srv.data_dir, "purge", "--now", "+1096d")
    assert ledger() == 0


def test_pushes_still_queued_for_a_cancelled_account_are_not_made(make_server):
    # the push provider is down, so pushes to A wait in the outbox
    srv = make_server(*CHAT_FLAGS, "--push-driver", "webhook",
                      "--push-webhook-url", "http://127.0.0.1:9/push")
    a, b = Planted(srv, "a"), Planted(srv, "b")
    cid = b.chat_with(a)  # A is offline: each message queues a push to A's device
    srv.stop()
    db = _db(srv)
    queued = db.execute("SELECT COUNT(*) FROM outbox WHERE user_id = ?", (int(a.id),)).fetchone()[0]
    db.close()  # before the restart: the server locks the file
    assert queued > 0
    srv = make_server(*CHAT_FLAGS, "--push-driver", "webhook",
                      "--push-webhook-url", "http://127.0.0.1:9/push", data_dir=srv.data_dir)
    cancel(srv, a.token, a.phone)
    assert srv.get(f"/v1/conversations/{cid}", token=b.token).status_code == 200
    srv.stop()
    db = _db(srv)
    try:
        assert db.execute("SELECT COUNT(*) FROM outbox WHERE user_id = ?",
                          (int(a.id),)).fetchone()[0] == 0
    finally:
        db.close()
