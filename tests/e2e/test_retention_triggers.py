"""The five deletion triggers of 七.二, one test each: purpose achieved,
retention period over, consent withdrawn, account gone, processing found
unlawful. The sweeper runs in `wlk purge` against the stopped server's data."""

import engine
from conftest import (CHAT_FLAGS, history, make_chat_user,
                      open_conversation, post_message, push_lines, send_text, set_push_token,
                      sync_all, wait_push, grant_consent, assert_error)
from retention_util import count, execute, purge_rows, query, wlk, wlk_ok

LOCATION = {"lat": 31.230416, "lng": 121.473701, "name": "人民广场", "address": "上海市黄浦区人民大道"}


def _restart(make_server, srv, *flags):
    srv.stop()
    srv.assert_clean()
    return make_server(*CHAT_FLAGS, *flags, data_dir=srv.data_dir)


def test_purpose_achieved_removing_a_device_ends_its_push_registration(make_server):
    """A push token serves one device: once the device is removed it gets
    no push and its registration is gone from the database."""
    srv = make_server(*CHAT_FLAGS)
    a, b = make_chat_user(srv), make_chat_user(srv)
    cid = open_conversation(srv, b, a)["id"]
    kept = set_push_token(srv, a.tokens[0], a.device_ids[0])
    gone = set_push_token(srv, a.tokens[0], a.device_ids[1])
    assert srv.delete(f"/v1/me/devices/{a.device_ids[1]}", token=a.tokens[0]).status_code == 204
    send_text(srv, b.token, cid)
    wait_push(srv, kept)  # both pushes would be queued in the same transaction
    assert push_lines(srv, gone) == []
    srv.stop()
    srv.assert_clean()
    # the tokens are sealed: the rows are found by device
    rows = count(srv.data_dir, "SELECT COUNT(*) FROM push_tokens WHERE device_id = ?",
                 (int(a.device_ids[1]),))
    assert rows == 0
    assert count(srv.data_dir, "SELECT COUNT(*) FROM push_tokens WHERE device_id = ?",
                 (int(a.device_ids[0]),)) == 1
    assert gone.encode() not in engine.db_bytes(srv.data_dir)
    assert kept.encode() not in engine.db_bytes(srv.data_dir), "push tokens are stored sealed"


def test_retention_expired_security_events_go_after_180_days_and_superseded_consents_after_3_years(
        make_server):
    srv = make_server(*CHAT_FLAGS)
    a = make_chat_user(srv, devices=2)  # the second device is a security event
    grant_consent(srv, a.token, "location")
    assert srv.delete("/v1/me/consents/location", token=a.token).status_code == 204
    srv.stop()
    srv.assert_clean()
    d, uid = srv.data_dir, int(a.id)
    assert count(d, "SELECT COUNT(*) FROM security_events WHERE user_id = ?", (uid,)) == 1

    out = wlk_ok(d, "purge", "--dry-run", "--now", "+181d")
    assert purge_rows(out, "security_log", "security_events", "retention") == 1
    assert count(d, "SELECT COUNT(*) FROM security_events WHERE user_id = ?", (uid,)) == 1

    wlk_ok(d, "purge", "--now", "+179d")
    assert count(d, "SELECT COUNT(*) FROM security_events WHERE user_id = ?", (uid,)) == 1
    out = wlk_ok(d, "purge", "--now", "+181d")
    assert purge_rows(out, "security_log", "security_events", "retention") == 1
    assert count(d, "SELECT COUNT(*) FROM security_events WHERE user_id = ?", (uid,)) == 0

    consents = "SELECT scope, granted FROM consents WHERE user_id = ? ORDER BY at, id"
    assert query(d, consents, (uid,)) == [("policy", 1), ("location", 1), ("location", 0)]
    wlk_ok(d, "purge", "--now", "+1094d")
    assert len(query(d, consents, (uid,))) == 3
    wlk_ok(d, "purge", "--now", "+1096d")
    # the superseded grant goes; the records in force stay as their proof
    assert query(d, consents, (uid,)) == [("policy", 1), ("location", 0)]


def test_consent_withdrawn_erases_the_location_messages_sent_under_it(make_server):
    srv = make_server(*CHAT_FLAGS)
    a, b = make_chat_user(srv), make_chat_user(srv)
    cid = open_conversation(srv, a, b)["id"]
    grant_consent(srv, a.token, "location")
    r = post_message(srv, a.token, cid, "location", LOCATION)
    assert r.status_code == 201, r.content[:300]
    loc = r.json()
    text = send_text(srv, a.token, cid)
    assert srv.delete("/v1/me/consents/location", token=a.token).status_code == 204
    srv.stop()
    srv.assert_clean()
    out = wlk_ok(srv.data_dir, "purge")
    assert purge_rows(out, "location", "messages", "withdrawn") == 1
    srv = make_server(*CHAT_FLAGS, data_dir=srv.data_dir)
    items = {m["id"]: m for m in history(srv, b.token, cid)["items"]}
    assert items[loc["id"]]["body"] != LOCATION and items[loc["id"]]["recalled_at"] is not None
    assert items[text["id"]]["body"] == text["body"] and items[text["id"]]["recalled_at"] is None
    events, _ = sync_all(srv, b.token)
    assert any(e["type"] == "message.recalled" and e["data"]["message"]["id"] == loc["id"]
               for e in events)


def test_account_gone_its_rows_are_deleted_and_its_messages_kept_for_the_peer_without_it(
        make_server):
    srv = make_server(*CHAT_FLAGS)
    a, b = make_chat_user(srv, devices=2), make_chat_user(srv)
    set_push_token(srv, a.tokens[0], a.device_ids[0])
    cid = open_conversation(srv, a, b)["id"]
    sent = send_text(srv, a.token, cid)
    srv.stop()
    srv.assert_clean()
    d, uid = srv.data_dir, int(a.id)
    execute(d, "DELETE FROM users WHERE id = ?", (uid,))
    out = wlk_ok(d, "purge")
    assert purge_rows(out, "device_info", "devices", "cancelled") == 2
    for table, col in [("devices", "user_id"), ("sessions", "user_id"),
                       ("push_tokens", "user_id"), ("security_events", "user_id"),
                       ("events", "user_id"), ("messages", "sender_id")]:
        assert count(d, f"SELECT COUNT(*) FROM {table} WHERE {col} = ?", (uid,)) == 0, table
    # records of consent are kept (restricted) until their own period ends
    assert count(d, "SELECT COUNT(*) FROM consents WHERE user_id = ?", (uid,)) >= 1
    srv = make_server(*CHAT_FLAGS, data_dir=d)
    items = {m["id"]: m for m in history(srv, b.token, cid)["items"]}
    assert items[sent["id"]]["body"] == sent["body"]


def test_staff_flag_unlawful_erases_those_categories_of_that_user_and_audits_it(make_server):
    srv = make_server(*CHAT_FLAGS)
    a, b = make_chat_user(srv), make_chat_user(srv)
    cid = open_conversation(srv, a, b)["id"]
    grant_consent(srv, a.token, "location")
    assert post_message(srv, a.token, cid, "location", LOCATION).status_code == 201
    send_text(srv, a.token, cid)
    mine = send_text(srv, b.token, cid)
    # the staff route exists and is closed without a staff token
    assert_error(srv.post(f"/v1/admin/users/{a.id}/unlawful",
                          json={"categories": ["location"], "reason": "x"}), 401, "unauthorized")
    srv.stop()
    srv.assert_clean()
    d = srv.data_dir
    bodies = "SELECT COUNT(*) FROM messages WHERE sender_id = ? AND body_enc IS NOT NULL"
    uid = int(a.id)
    for bad in (["--categories", "location,nope", "--reason", "r"],
                ["--categories", "phone", "--reason", "r"],
                ["--categories", "location"],
                ["--categories", "", "--reason", "r"]):
        p = wlk(d, "privacy", "flag-unlawful", "--user", a.id, *bad)
        assert p.returncode == 2, (bad, p.stdout, p.stderr)
    p = wlk(d, "privacy", "flag-unlawful", "--user", "999", "--categories", "location",
            "--reason", "r")
    assert p.returncode == 2, p.stderr
    assert count(d, bodies, (uid,)) == 2

    wlk_ok(d, "privacy", "flag-unlawful", "--user", a.id, "--categories", "location,chat_content",
           "--reason", "collected without a valid consent (case 42)")
    assert count(d, bodies, (uid,)) == 0
    assert count(d, bodies, (int(b.id),)) == 1
    rows = query(d, "SELECT actor, action, subject_id, categories, reason FROM audit_log "
                    "WHERE action = 'personal_data.erase_unlawful'")
    assert rows == [("cli", "personal_data.erase_unlawful", uid, "location chat_content",
                     "collected without a valid consent (case 42)")]
    wlk_ok(d, "audit", "verify")
    srv = make_server(*CHAT_FLAGS, data_dir=d)
    items = history(srv, b.token, cid)["items"]
    assert [m["body"] for m in items if m["id"] == mine["id"]] == [mine["body"]]
    assert all(m["recalled_at"] is not None for m in items if m["sender_id"] == a.id)
