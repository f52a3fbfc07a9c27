"""Privacy promises of chat: only the two members see a conversation and
everything in it; location messages need the `location` consent; the
database never holds chat text in clear."""
import hashlib
import json
import os
import re
import time

import pytest

from conftest import (db_file_bytes, ID_RE, assert_error, assert_ws_error, chat_server, error_extra, events_of,
                      full_history, grant_consent, history, make_chat_user, message_events,
                      open_conversation, png_bytes, post_message, send_text, set_push_token,
                      sync_all, unique, upload_ok, wait_push, ws_close, ws_connect, ws_request)


# -------------------------------------------------------------- membership

@pytest.fixture(scope="module")
def foreign(shared_server):
    """a and b's conversation with a text and an image message, and c, a
    third user with a conversation of her own."""
    a = make_chat_user(shared_server, devices=1)
    b = make_chat_user(shared_server, devices=1)
    c = make_chat_user(shared_server, devices=1)
    cid = open_conversation(shared_server, a, b)["id"]
    m = send_text(shared_server, a.token, cid, "members only")
    media = upload_ok(shared_server, a.token, png_bytes(200), "image/png")["id"]
    r = post_message(shared_server, a.token, cid, "image", {"media_id": media})
    assert r.status_code == 201
    open_conversation(shared_server, c, a)
    return {"a": a, "b": b, "c": c, "cid": cid, "msg": m, "media": media}


def _third_user_calls(srv, f):
    cid, c = f["cid"], f["c"].token
    return {
        "get conversation": lambda: srv.get(f"/v1/conversations/{cid}", token=c),
        "history": lambda: srv.get(f"/v1/conversations/{cid}/messages", token=c),
        "history after_seq": lambda: srv.get(f"/v1/conversations/{cid}/messages", token=c,
                                             params={"after_seq": 0}),
        "send": lambda: post_message(srv, c, cid, "text", {"text": "let me in"}),
        "read": lambda: srv.post(f"/v1/conversations/{cid}/read", token=c, json={"seq": 1}),
        "recall": lambda: srv.post(f"/v1/messages/{f['msg']['id']}/recall", token=c),
        "media": lambda: srv.get(f"/v1/media/{f['media']}", token=c),
        "media range": lambda: srv.get(f"/v1/media/{f['media']}", token=c,
                                       headers={"Range": "bytes=0-9"}),
    }


@pytest.mark.parametrize("what", ["get conversation", "history", "history after_seq", "send", "read",
                                  "recall", "media", "media range"])
def test_a_third_user_gets_404(shared_server, foreign, what):
    r = _third_user_calls(shared_server, foreign)[what]()
    assert_error(r, 404, "not_found")


def test_a_third_user_changes_nothing(shared_server, foreign):
    for call in _third_user_calls(shared_server, foreign).values():
        call()
    a, b, cid = foreign["a"], foreign["b"], foreign["cid"]
    items = history(shared_server, b.token, cid)["items"]
    assert [m["seq"] for m in items] == [1, 2]
    assert items[0]["body"] == {"text": "members only"} and items[0]["recalled_at"] is None
    conv = shared_server.get(f"/v1/conversations/{cid}", token=a.token).json()
    assert conv["peer_read_seq"] == 0 and conv["last_seq"] == 2


def test_a_third_user_sees_nothing_in_lists_or_sync(shared_server, foreign):
    c, cid = foreign["c"], foreign["cid"]
    convs = shared_server.get("/v1/conversations", token=c.token).json()["items"]
    assert cid not in [x["id"] for x in convs]
    events, _ = sync_all(shared_server, c.token)
    blob = json.dumps(events)
    assert cid not in [e["data"].get("conversation_id") for e in events]
    assert not [m for m in message_events(events) if m["conversation_id"] == cid]
    assert "members only" not in blob


def test_a_third_user_gets_not_found_frames_over_websocket(shared_server, foreign):
    c, cid = foreign["c"], foreign["cid"]
    ws = ws_connect(shared_server, c.token)
    try:
        for frame in ({"type": "send", "conversation_id": cid, "client_id": unique(), "kind": "text",
                       "body": {"text": "x"}},
                      {"type": "read", "conversation_id": cid, "seq": 1},
                      {"type": "call", "conversation_id": cid, "call_id": unique(), "action": "invite",
                       "data": {}}):
            frame["req_id"] = unique("r")
            assert_ws_error(ws_request(ws, frame), "not_found", req_id=frame["req_id"])
    finally:
        ws_close(ws)
    assert len(history(shared_server, foreign["a"].token, cid)["items"]) == 2


def test_an_unknown_conversation_id_and_a_foreign_one_look_the_same(shared_server, foreign):
    c = foreign["c"]
    unknown = shared_server.get("/v1/conversations/987654321987", token=c.token)
    theirs = shared_server.get(f"/v1/conversations/{foreign['cid']}", token=c.token)
    assert_error(unknown, 404, "not_found")
    assert_error(theirs, 404, "not_found")
    assert set(unknown.json()["error"]) == set(theirs.json()["error"])


# --------------------------------------------------------- location consent

LOCATION = {"lat": 31.230416, "lng": 121.473701, "name": "人民广场", "address": "上海市黄浦区人民大道"}


def test_a_location_needs_the_location_consent_and_its_withdrawal_stops_it(shared_server, two_users):
    a, b = two_users
    cid = open_conversation(shared_server, a, b)["id"]
    version = shared_server.policy_version()
    r = post_message(shared_server, a.token, cid, "location", LOCATION)
    assert_error(r, 403, "consent_required")
    assert error_extra(r, "scope") == "location"
    assert error_extra(r, "version") == version

    r = shared_server.request("PUT", "/v1/me/consents/location", token=a.token, json={"version": version})
    assert r.status_code == 200, r.content[:300]
    j = r.json()
    assert j["scope"] == "location" and j["version"] == version and j["withdrawn_at"] is None
    assert isinstance(j["granted_at"], int)

    r = post_message(shared_server, a.tokens[1], cid, "location", LOCATION)
    assert r.status_code == 201, r.content[:300]
    assert r.json()["kind"] == "location" and r.json()["body"] == LOCATION
    assert history(shared_server, b.token, cid)["items"][-1]["body"] == LOCATION
    # the consent is the sender's: b has none
    assert_error(post_message(shared_server, b.token, cid, "location", LOCATION), 403, "consent_required")

    assert shared_server.delete("/v1/me/consents/location", token=a.token).status_code == 204
    assert shared_server.delete("/v1/me/consents/location", token=a.token).status_code == 204
    r = post_message(shared_server, a.token, cid, "location", LOCATION)
    assert_error(r, 403, "consent_required")
    assert error_extra(r, "scope") == "location"

    items = shared_server.get("/v1/me/consents", token=a.token).json()["items"]
    loc = [x for x in items if x["scope"] == "location"]
    assert loc and isinstance(loc[-1]["withdrawn_at"], int), items
    assert any(x["scope"] == "policy" and x["withdrawn_at"] is None for x in items), items

    grant_consent(shared_server, a.token)
    assert post_message(shared_server, a.token, cid, "location", LOCATION).status_code == 201


def test_a_location_over_websocket_without_consent_is_a_consent_required_frame(shared_server,
                                                                               two_users):
    a, b = two_users
    cid = open_conversation(shared_server, a, b)["id"]
    ws = ws_connect(shared_server, a.token)
    try:
        reply = ws_request(ws, {"type": "send", "conversation_id": cid, "client_id": unique(),
                                "kind": "location", "body": LOCATION})
        assert_ws_error(reply, "consent_required")
    finally:
        ws_close(ws)
    assert history(shared_server, b.token, cid)["items"] == []


@pytest.mark.parametrize("body,field", [
    ({"version": "0000000000000000"}, "version"),
    ({"version": 1}, "version"),
    ({}, "version"),
    ({"version": "$V", "x": 1}, "x"),
])
def test_a_bad_consent_is_422(shared_server, body, field):
    u = make_chat_user(shared_server, devices=1)
    body = {k: (shared_server.policy_version() if v == "$V" else v) for k, v in body.items()}
    r = shared_server.request("PUT", "/v1/me/consents/location", token=u.token, json=body)
    assert_error(r, 422, "validation_failed", field=field)


def test_an_unknown_consent_scope_is_404(shared_server):
    u = make_chat_user(shared_server, devices=1)
    r = shared_server.request("PUT", "/v1/me/consents/telepathy", token=u.token,
                              json={"version": shared_server.policy_version()})
    assert_error(r, 404, "not_found")


def test_withdrawing_the_policy_consent_without_a_code_is_401(shared_server):
    u = make_chat_user(shared_server, devices=1)
    assert_error(shared_server.delete("/v1/me/consents/policy", token=u.token), 401,
                 "verification_required")
    items = shared_server.get("/v1/me/consents", token=u.token).json()["items"]
    assert any(x["scope"] == "policy" and x["withdrawn_at"] is None for x in items)


@pytest.mark.parametrize("change,field", [
    ({"lat": 90.0001}, "body.lat"), ({"lat": -90.5}, "body.lat"), ({"lat": "31.2"}, "body.lat"),
    ({"lat": None}, "body.lat"), ({"lng": 180.01}, "body.lng"), ({"lng": -181}, "body.lng"),
    ({"lng": True}, "body.lng"), ({"name": "名" * 101}, "body.name"), ({"name": 5}, "body.name"),
    ({"address": "址" * 201}, "body.address"), ({"floor": 3}, "body.floor"),
])
def test_a_bad_location_is_422_naming_the_field(shared_server, two_users, change, field):
    a, b = two_users
    cid = open_conversation(shared_server, a, b)["id"]
    grant_consent(shared_server, a.token)
    body = {**LOCATION, **change}
    r = post_message(shared_server, a.token, cid, "location", body)
    assert_error(r, 422, "validation_failed", field=field)


def test_a_missing_coordinate_is_422(shared_server, two_users):
    a, b = two_users
    cid = open_conversation(shared_server, a, b)["id"]
    grant_consent(shared_server, a.token)
    r = post_message(shared_server, a.token, cid, "location", {"lng": 121.4})
    assert_error(r, 422, "validation_failed", field="body.lat")
    r = post_message(shared_server, a.token, cid, "location", {"lat": 31.2})
    assert_error(r, 422, "validation_failed", field="body.lng")


def test_location_bounds_and_longest_names_are_accepted(shared_server, two_users):
    a, b = two_users
    cid = open_conversation(shared_server, a, b)["id"]
    grant_consent(shared_server, a.token)
    for body in ({"lat": 90, "lng": 180}, {"lat": -90, "lng": -180}, {"lat": 0, "lng": 0},
                 {"lat": 1.5, "lng": 2.5, "name": "名" * 100, "address": "址" * 200}):
        r = post_message(shared_server, a.token, cid, "location", body)
        assert r.status_code == 201, (body, r.content[:300])
        assert r.json()["body"] == body


# ------------------------------------------------------ database in clear

def _forms(canary):
    """Byte strings that would give a canary away: UTF-8, UTF-16 and the
    JSON escapes of its non-ASCII characters."""
    out = {canary.encode(), canary.encode("utf-16-le"), canary.encode("utf-16-be")}
    esc = json.dumps(canary)[1:-1]
    out.add(esc.encode())
    out.add(re.sub(r"\\u([0-9a-f]{4})", lambda m: "\\u" + m.group(1).upper(), esc).encode())
    return {f for f in out if len(f) >= 6}




def _assert_absent(blob, canaries, where):
    for c in canaries:
        for form in _forms(c):
            found = form in blob  # not inline: keep a large blob out of the report
            assert not found, f"chat text {c!r} in clear ({form!r}) in {where}"


def test_the_database_never_holds_chat_text_in_clear(make_server):
    srv = chat_server(make_server)
    a = make_chat_user(srv)
    b = make_chat_user(srv)
    cid = open_conversation(srv, a, b)["id"]
    grant_consent(srv, a.token)
    # b previews pushes: the push outbox carries message text too
    pt = set_push_token(srv, b.token, b.device_ids[0])
    assert srv.patch("/v1/me", token=b.token, json={"push_preview": True}).status_code == 200

    canaries = {k: unique(k) for k in ("TextCanary", "WsCanary", "RecallCanary", "PropCanary",
                                       "PlaceCanary", "StreetCanary", "ResendCanary")}
    canaries["zh"] = "看房暗号" + unique("甲")[-8:] + "乙丙丁"
    send_text(srv, a.token, cid, f"hello {canaries['TextCanary']}")
    send_text(srv, b.token, cid, f"你好 {canaries['zh']}")
    m = send_text(srv, a.token, cid, canaries["RecallCanary"], client_id="to-recall")
    assert srv.post(f"/v1/messages/{m['id']}/recall", token=a.token).status_code == 200
    r = post_message(srv, a.token, cid, "property", {"note": canaries["PropCanary"], "price": 1})
    assert r.status_code == 201
    r = post_message(srv, a.token, cid, "location",
                     {"lat": 31.2, "lng": 121.4, "name": canaries["PlaceCanary"],
                      "address": canaries["StreetCanary"]})
    assert r.status_code == 201
    r = post_message(srv, a.token, cid, "text", {"text": canaries["ResendCanary"]}, client_id="again")
    assert r.status_code == 201
    r = post_message(srv, a.token, cid, "text", {"text": canaries["ResendCanary"]}, client_id="again")
    assert r.status_code == 200
    ws = ws_connect(srv, a.tokens[1])
    try:
        ack = ws_request(ws, {"type": "send", "conversation_id": cid, "client_id": unique(),
                              "kind": "text", "body": {"text": canaries["WsCanary"]}})
        assert ack["type"] == "ack", ack
    finally:
        ws_close(ws)
    # the server still gives the text back to the members
    texts = json.dumps(full_history(srv, b.token, cid), ensure_ascii=False)
    for k in ("TextCanary", "zh", "PropCanary", "PlaceCanary", "StreetCanary", "WsCanary"):
        assert canaries[k] in texts, k
    events, _ = sync_all(srv, b.tokens[1])
    assert events_of(events, "message.recalled")
    wait_push(srv, pt)
    time.sleep(0.5)  # let outbox workers finish

    values = list(canaries.values())
    _assert_absent(db_file_bytes(srv), values, "the database (running)")
    _assert_absent(srv.log_text().encode(), values, "the stderr log")
    assert srv.stop() == 0
    _assert_absent(db_file_bytes(srv), values, "the database (after shutdown)")
    _assert_absent(srv.log_text().encode(), values, "the stderr log")


def test_message_ids_are_decimal_strings(shared_server, two_users):
    a, b = two_users
    cid = open_conversation(shared_server, a, b)["id"]
    m = send_text(shared_server, a.token, cid)
    assert ID_RE.fullmatch(cid) and ID_RE.fullmatch(m["id"]) and m["conversation_id"] == cid
    assert m["sender_id"] == a.id


def test_the_database_never_holds_a_picture_or_its_hash_in_clear(make_server):
    # the bytes are sealed at rest; the sha256 is answered once, never stored
    srv = chat_server(make_server)
    a = make_chat_user(srv)
    data = png_bytes(4096) + os.urandom(64)
    m = upload_ok(srv, a.token, data, "image/png")
    assert m["sha256"] == hashlib.sha256(data).hexdigest()
    srv.stop()
    blob = db_file_bytes(srv)
    for form in (m["sha256"].encode(), m["sha256"].upper().encode(),
                 hashlib.sha256(data).digest()):
        found = form in blob  # not inline: keep a large blob out of the report
        assert not found, f"the picture's hash {form!r} is in the database"
    stored = b"".join(p.read_bytes() for p in (srv.data_dir / "media").iterdir())
    assert data[-64:] not in stored
