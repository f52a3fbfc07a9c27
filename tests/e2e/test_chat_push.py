"""Push: device push tokens, push only to recipients without a live
WebSocket, no message content unless push_preview, security notices for a
new device."""
import json
import time

import pytest

from conftest import (assert_error, make_chat_user, open_conversation, phone_digits, post_message,
                      push_lines, push_sink, send_text, set_push_token, unique, wait_push,
                      ws_close, ws_connect, ws_request)

NO_PUSH_WAIT = 1.5
VENDORS = ["hms", "mi", "oppo", "vivo", "getui", "apns", "fcm"]


def _put(srv, token, device_id, body):
    return srv.request("PUT", f"/v1/me/devices/{device_id}/push", token=token, json=body)


def _assert_no_push(srv, push_token, wait=NO_PUSH_WAIT):
    time.sleep(wait)
    got = push_lines(srv, push_token)
    assert not got, f"unexpected push to {push_token}: {got}"


# ------------------------------------------------------------- push tokens

@pytest.mark.parametrize("vendor", VENDORS)
def test_every_vendor_is_accepted(shared_server, vendor):
    u = make_chat_user(shared_server, devices=1)
    r = _put(shared_server, u.token, u.device_ids[0], {"vendor": vendor, "token": unique("pt")})
    assert r.status_code == 204, r.content[:300]


def test_a_push_token_can_be_replaced_and_deleted(shared_server):
    u = make_chat_user(shared_server, devices=1)
    dev = u.device_ids[0]
    assert _put(shared_server, u.token, dev, {"vendor": "mi", "token": "t1"}).status_code == 204
    assert _put(shared_server, u.token, dev, {"vendor": "fcm", "token": "t" * 512}).status_code == 204
    r = shared_server.delete(f"/v1/me/devices/{dev}/push", token=u.token)
    assert r.status_code == 204
    r = shared_server.delete(f"/v1/me/devices/{dev}/push", token=u.token)
    assert r.status_code == 204


@pytest.mark.parametrize("body,field", [
    ({"vendor": "jpush", "token": "t"}, "vendor"),
    ({"vendor": "HMS", "token": "t"}, "vendor"),
    ({"vendor": 1, "token": "t"}, "vendor"),
    ({"token": "t"}, "vendor"),
    ({"vendor": "hms"}, "token"),
    ({"vendor": "hms", "token": ""}, "token"),
    ({"vendor": "hms", "token": "t" * 513}, "token"),
    ({"vendor": "hms", "token": 5}, "token"),
    ({"vendor": "hms", "token": "t", "extra": True}, "extra"),
])
def test_a_bad_push_token_is_422_naming_the_field(shared_server, body, field):
    u = make_chat_user(shared_server, devices=1)
    assert_error(_put(shared_server, u.token, u.device_ids[0], body), 422, "validation_failed",
                 field=field)


def test_push_tokens_of_another_users_device_are_404(shared_server):
    u = make_chat_user(shared_server, devices=1)
    other = make_chat_user(shared_server, devices=1)
    body = {"vendor": "hms", "token": "t"}
    assert_error(_put(shared_server, u.token, other.device_ids[0], body), 404, "not_found")
    assert_error(shared_server.delete(f"/v1/me/devices/{other.device_ids[0]}/push", token=u.token),
                 404, "not_found")
    assert_error(_put(shared_server, u.token, "987654321987", body), 404, "not_found")


def test_my_other_device_push_token_can_be_set(shared_server):
    u = make_chat_user(shared_server, devices=2)
    r = _put(shared_server, u.token, u.device_ids[1], {"vendor": "oppo", "token": unique("pt")})
    assert r.status_code == 204


def test_push_tokens_need_a_token(shared_server):
    u = make_chat_user(shared_server, devices=1)
    assert_error(_put(shared_server, None, u.device_ids[0], {"vendor": "hms", "token": "t"}), 401,
                 "unauthorized")


# ------------------------------------------------------------- push_preview

def test_push_preview_defaults_to_false_and_can_be_turned_on(shared_server):
    u = make_chat_user(shared_server, devices=1)
    assert shared_server.get("/v1/me", token=u.token).json()["push_preview"] is False
    r = shared_server.patch("/v1/me", token=u.token, json={"push_preview": True})
    assert r.status_code == 200 and r.json()["push_preview"] is True
    assert shared_server.get("/v1/me", token=u.token).json()["push_preview"] is True
    r = shared_server.patch("/v1/me", token=u.token, json={"push_preview": False})
    assert r.status_code == 200 and r.json()["push_preview"] is False


@pytest.mark.parametrize("bad", ["yes", 1, None, [], {}])
def test_a_bad_push_preview_is_422(shared_server, bad):
    u = make_chat_user(shared_server, devices=1)
    r = shared_server.patch("/v1/me", token=u.token, json={"push_preview": bad})
    assert_error(r, 422, "validation_failed", field="push_preview")


# ------------------------------------------------------------ who gets one

def test_an_offline_recipient_gets_one_push_per_device_with_a_token(shared_server):
    a = make_chat_user(shared_server)
    b = make_chat_user(shared_server)
    cid = open_conversation(shared_server, a, b)["id"]
    b_tokens = [set_push_token(shared_server, b.tokens[i], b.device_ids[i], vendor=v)
                for i, v in enumerate(("hms", "apns"))]
    a_tokens = [set_push_token(shared_server, a.tokens[i], a.device_ids[i]) for i in range(2)]
    send_text(shared_server, a.token, cid)
    for pt, vendor in zip(b_tokens, ("hms", "apns")):
        line = wait_push(shared_server, pt)[0]
        assert set(line) >= {"vendor", "token", "title", "text", "at"}, line
        assert line["vendor"] == vendor
        assert isinstance(line["title"], str) and isinstance(line["text"], str)
        assert isinstance(line["at"], int) and line["at"] > 1_600_000_000_000
    time.sleep(0.5)
    for pt in b_tokens:
        assert len(push_lines(shared_server, pt)) == 1, "one push per device per message"
    for pt in a_tokens:
        assert not push_lines(shared_server, pt), "the sender gets no push for its own message"


def test_a_recipient_with_a_live_websocket_gets_no_push(shared_server):
    a = make_chat_user(shared_server)
    b = make_chat_user(shared_server)
    cid = open_conversation(shared_server, a, b)["id"]
    b_tokens = [set_push_token(shared_server, b.tokens[i], b.device_ids[i]) for i in range(2)]
    conns = [ws_connect(shared_server, t) for t in b.tokens]
    try:
        send_text(shared_server, a.token, cid)
        _assert_no_push(shared_server, b_tokens[0], wait=NO_PUSH_WAIT)
        assert not push_lines(shared_server, b_tokens[1])
    finally:
        for ws in conns:
            ws_close(ws, timeout=2)
    # offline again: the next message is pushed
    time.sleep(0.2)
    send_text(shared_server, a.token, cid)
    for pt in b_tokens:
        assert len(wait_push(shared_server, pt)) == 1


def test_a_removed_push_token_gets_no_more_pushes(shared_server):
    a = make_chat_user(shared_server, devices=1)
    b = make_chat_user(shared_server, devices=1)
    cid = open_conversation(shared_server, a, b)["id"]
    pt = set_push_token(shared_server, b.token, b.device_ids[0])
    send_text(shared_server, a.token, cid)
    wait_push(shared_server, pt)
    assert shared_server.delete(f"/v1/me/devices/{b.device_ids[0]}/push", token=b.token).status_code == 204
    send_text(shared_server, a.token, cid)
    time.sleep(NO_PUSH_WAIT)
    assert len(push_lines(shared_server, pt)) == 1


def test_a_message_sent_over_websocket_is_pushed_too(shared_server):
    a = make_chat_user(shared_server, devices=1)
    b = make_chat_user(shared_server, devices=1)
    cid = open_conversation(shared_server, a, b)["id"]
    pt = set_push_token(shared_server, b.token, b.device_ids[0])
    ws = ws_connect(shared_server, a.token)
    try:
        ack = ws_request(ws, {"type": "send", "conversation_id": cid, "client_id": unique(),
                              "kind": "text", "body": {"text": "via ws"}})
        assert ack["type"] == "ack", ack
    finally:
        ws_close(ws)
    wait_push(shared_server, pt)


# --------------------------------------------------------------- contents

def test_pushes_carry_no_message_content_unless_push_preview_is_on(shared_server):
    a = make_chat_user(shared_server, devices=1)
    b = make_chat_user(shared_server, devices=1)
    cid = open_conversation(shared_server, a, b)["id"]
    pt = set_push_token(shared_server, b.token, b.device_ids[0])
    hidden = unique("SecretCanary")
    hidden_zh = "机密房源" + unique("号")
    send_text(shared_server, a.token, cid, f"{hidden} 看房 {hidden_zh}")
    prop = unique("PropCanary")
    r = post_message(shared_server, a.token, cid, "property", {"title": prop, "price": 4200000})
    assert r.status_code == 201
    wait_push(shared_server, pt, count=2)
    time.sleep(0.3)
    raw = push_sink(shared_server).read_bytes()
    decoded = " ".join(json.dumps(o, ensure_ascii=False) for o in push_lines(shared_server))
    for canary in (hidden, hidden_zh, prop):
        assert canary.encode() not in raw, f"message content {canary!r} in a push"
        assert canary not in decoded, f"message content {canary!r} in a push"

    r = shared_server.patch("/v1/me", token=b.token, json={"push_preview": True})
    assert r.status_code == 200
    shown = unique("ShownCanary")
    send_text(shared_server, a.token, cid, shown)
    lines = wait_push(shared_server, pt, count=3)
    assert shown in lines[-1]["text"], "push_preview on: the text is previewed"


def test_a_sign_in_from_a_new_device_pushes_a_security_notice_to_the_other_devices(shared_server):
    u = make_chat_user(shared_server, devices=2)
    pts = [set_push_token(shared_server, u.tokens[i], u.device_ids[i]) for i in range(2)]
    shared_server.login(u.phone, device_id="brand-new", accept=False)
    for pt in pts:
        line = wait_push(shared_server, pt)[0]
        assert set(line) >= {"vendor", "token", "title", "text", "at"}
    raw = push_sink(shared_server).read_bytes()
    assert phone_digits(u.phone).encode() not in raw


def test_a_sign_in_again_from_a_known_device_pushes_no_notice(shared_server):
    """A re-login on a known device is not a new device: no notice."""
    u = make_chat_user(shared_server, devices=2)
    pt = set_push_token(shared_server, u.tokens[0], u.device_ids[0])
    shared_server.login(u.phone, device_id="dev-2", accept=False)
    _assert_no_push(shared_server, pt)
