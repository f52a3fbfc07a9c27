"""七.一 access: the export holds everything about the user, walked from
the data map, and nothing of another user beyond a peer's id and nickname.

What "beyond a peer's id and nickname" means for messages: every message
of a conversation the user is in is exported (both directions: they are
messages the user sees in the app), so the peer's message texts appear;
the peer's phone, device names, push tokens, consents and anything else
of the peer's account never do."""
import json

import pytest

from conftest import assert_error, png_bytes, sha256_hex, upload_ok
from rights_helpers import Planted, export, step_up_code


@pytest.fixture(scope="module")
def pair(shared_server):
    a = Planted(shared_server, "a")
    b = Planted(shared_server, "b")
    cid = a.chat_with(b)
    b.chat_with(a, cid)
    return a, b, cid


def test_export_contains_every_canary_of_the_user_and_none_of_another(shared_server, pair):
    a, b, _ = pair
    text = export(shared_server, a.token, a.phone).text
    for v in a.all_values:
        assert v in text, f"{v} of A missing from A's export"
    for v in b.values:
        if v != b.nickname:
            assert v not in text, f"B's {v} leaked into A's export"
    assert b.phone not in text and b.phone[-8:] not in text
    # B's messages to A are messages A sees: present
    for v in b.texts:
        assert v in text


def test_export_shows_the_phone_in_full_and_the_peer_only_as_id_and_nickname(shared_server, pair):
    a, b, cid = pair
    j = export(shared_server, a.token, a.phone).json()
    assert j["user_id"] == a.id
    assert j["categories"]["phone"]["records"]["phone"] == a.phone
    assert j["categories"]["nickname"]["records"]["nickname"] == a.nickname
    convs = j["categories"]["chat_content"]["records"]["conversations"]
    assert [c["id"] for c in convs] == [cid]
    assert convs[0]["peer"] == {"id": b.id, "nickname": b.nickname}
    senders = {m["sender_id"] for m in convs[0]["messages"]}
    assert senders == {a.id, b.id}
    assert len(convs[0]["messages"]) == 6


def test_export_walks_every_category_of_the_data_map(shared_server, pair):
    a, _, _ = pair
    policy = shared_server.get("/v1/privacy/policy").json()
    j = export(shared_server, a.token, a.phone).json()
    assert set(j["categories"]) == {c["id"] for c in policy["datamap"]}
    assert j["policy_version"] == policy["version"]
    for cid, cat in j["categories"].items():
        assert cat["label_zh"] and cat["purposes"] and "retention" in cat, cid
        if cat["collected"]:
            assert isinstance(cat["records"], dict), cid
        else:
            assert "records" not in cat and cat["note"], cid


def test_export_lists_devices_sessions_push_consents_and_security_records(shared_server, pair):
    a, _, _ = pair
    cats = export(shared_server, a.token, a.phone).json()["categories"]
    dev = cats["device_info"]["records"]
    assert [d["name"] for d in dev["devices"]] == [a.device_name]
    assert [s["device_id"] for s in dev["sessions"]] == [a.device_id]
    assert cats["push_token"]["records"]["push_tokens"][0]["token"] == a.push_token
    ledger = cats["consent_records"]["records"]["consents"]
    assert [(c["scope"], c["granted"]) for c in ledger] == [("policy", True), ("location", True)]
    assert cats["location"]["records"]["location_messages"][0]["sender_id"] == a.id
    # every SMS to the user's phone (sign-in and identity-check codes) was a
    # hand-over to the SMS provider: recorded, without the number itself
    disclosures = cats["disclosure_records"]["records"]["disclosures"]
    assert disclosures and all(d["recipient"] in ("sms_provider", "push_vendors")
                               for d in disclosures), disclosures
    assert any(d["recipient"] == "sms_provider" and d["categories"] == "phone"
               for d in disclosures), disclosures
    assert a.phone not in json.dumps(disclosures)
    assert cats["support_records"]["records"]["requests"] == []
    assert isinstance(cats["security_log"]["records"]["security_events"], list)


def test_export_gives_each_upload_with_a_hash_read_from_the_sealed_file(shared_server):
    u = Planted(shared_server, "m")
    data = png_bytes(5000)
    up = upload_ok(shared_server, u.token, data, "image/png")
    media = export(shared_server, u.token, u.phone).json()["categories"]["chat_content"][
        "records"]["media"]
    assert media == [{"id": up["id"], "content_type": "image/png", "size": len(data),
                      "created_at": media[0]["created_at"], "sha256": sha256_hex(data)}]


def test_export_works_after_the_policy_was_withdrawn(shared_server):
    from rights_helpers import withdraw_policy
    u = Planted(shared_server, "w")
    withdraw_policy(shared_server, u.token, u.phone)
    j = export(shared_server, u.token, u.phone).json()
    assert j["account"]["policy"]["withdrawn"] is True
    assert u.nickname in json.dumps(j, ensure_ascii=False)


@pytest.mark.parametrize("body,status,code,field", [
    ({"code": 123456}, 422, "validation_failed", "code"),
    ({"code": None}, 422, "validation_failed", "code"),
    ({"code": "1" * 17}, 422, "validation_failed", "code"),
    ({"code": "123456", "all": True}, 422, "validation_failed", "all"),
    ([], 400, "invalid_json", None),
    ("nope", 400, "invalid_json", None),
], ids=["int", "null", "long", "unknown", "array", "string"])
def test_a_bad_export_request_is_a_clear_4xx(shared_server, body, status, code, field):
    u = Planted(shared_server, "x")
    if isinstance(body, str):
        r = shared_server.post("/v1/me/export", token=u.token, data=body,
                               headers={"Content-Type": "application/json"})
    else:
        r = shared_server.post("/v1/me/export", token=u.token, json=body)
    assert_error(r, status, code, field=field)


def test_export_without_a_token_is_401(shared_server):
    assert_error(shared_server.post("/v1/me/export", json={"code": "123456"}), 401, "unauthorized")


def test_export_is_read_with_the_code_it_consumes(shared_server):
    u = Planted(shared_server, "c")
    code = step_up_code(shared_server, u.token, u.phone)
    assert shared_server.post("/v1/me/export", token=u.token, json={"code": code}).status_code == 200
    assert_error(shared_server.post("/v1/me/export", token=u.token, json={"code": code}), 401,
                 "verification_required", field="code")


def test_the_security_log_is_exported_with_the_hash_of_the_network_it_keeps(shared_server):
    srv = shared_server
    a = Planted(srv, "sec")
    srv.login(a.phone, device_id="dev-2", name="second")  # a new-device sign-in event
    events = export(srv, a.token, a.phone).json()["categories"]["security_log"]["records"][
        "security_events"]
    assert [ev["kind"] for ev in events] == ["new_device_sign_in"]
    h = events[0]["ip_network_hash"]
    assert isinstance(h, str) and len(h) == 64 and int(h, 16) >= 0
    assert "127.0.0" not in json.dumps(events)
