"""The published privacy policy, its versions and its data map."""
import re
import time

import pytest

from conftest import assert_error

KEY_PHRASES = ["隐私政策", "手机号", "敏感个人信息", "撤回", "注销", "未成年人", "400-620-6688", "12377"]
RETENTION_ACTIONS = {"delete", "anonymise", "restrict"}
CATEGORY_WORDS = ["phone", "id", "face", "bank", "location", "chat", "address", "device", "ip"]


@pytest.fixture(scope="module")
def policy(shared_server):
    r = shared_server.get("/v1/privacy/policy")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("application/json")
    return r.json()


def _entry(policy, word):
    for e in policy["datamap"]:
        if word in e["id"].lower() or word in e.get("label_en", "").lower():
            return e
    return None


def test_policy_has_all_its_parts(policy):
    for key in ("version", "published_at", "material", "note", "text", "datamap", "recipients"):
        assert key in policy, key
    assert re.fullmatch(r"[0-9a-f]{16}", policy["version"]), policy["version"]
    assert isinstance(policy["published_at"], int)
    now_ms = time.time() * 1000
    assert 1.5e12 < policy["published_at"] <= now_ms + 60_000
    assert isinstance(policy["text"], str)
    assert isinstance(policy["datamap"], list) and policy["datamap"]
    assert isinstance(policy["recipients"], list) and policy["recipients"]


@pytest.mark.parametrize("phrase", KEY_PHRASES)
def test_policy_text_contains_key_phrase(policy, phrase):
    assert phrase in policy["text"]


def test_versions_list_the_current_version_once(shared_server, policy):
    r = shared_server.get("/v1/privacy/policy/versions")
    assert r.status_code == 200
    items = r.json()["items"]
    assert len(items) == 1
    item = items[0]
    assert item["version"] == policy["version"]
    assert item["published_at"] == policy["published_at"]
    assert item["material"] == policy["material"]
    assert item["note"] == policy["note"]


def test_archived_version_equals_the_current_policy_byte_for_byte(shared_server, policy):
    cur = shared_server.get("/v1/privacy/policy")
    old = shared_server.get(f"/v1/privacy/policy/{policy['version']}")
    assert old.status_code == 200
    assert old.content == cur.content


def test_policy_is_served_identically_every_time(shared_server):
    a = shared_server.get("/v1/privacy/policy").content
    b = shared_server.get("/v1/privacy/policy").content
    assert a == b


@pytest.mark.parametrize("version", ["0000000000000000", "ffffffffffffffff", "nope", "1", "x" * 200])
def test_unknown_policy_version_is_not_found(shared_server, version):
    assert_error(shared_server.get(f"/v1/privacy/policy/{version}"), 404, "not_found")


def test_datamap_entries_each_have_labels_purposes_and_retention(policy):
    recipient_ids = {r["id"] for r in policy["recipients"]}
    ids = [e["id"] for e in policy["datamap"]]
    assert len(ids) == len(set(ids)), "duplicate datamap ids"
    for e in policy["datamap"]:
        assert isinstance(e["id"], str) and e["id"], e
        assert isinstance(e["label_zh"], str) and e["label_zh"], e
        assert isinstance(e["label_en"], str) and e["label_en"], e
        assert isinstance(e["sensitive"], bool), e
        assert isinstance(e["encrypted"], bool), e
        assert isinstance(e["purposes"], list) and e["purposes"], e
        assert all(isinstance(p, str) and p for p in e["purposes"]), e
        assert isinstance(e["consent"], str) and e["consent"], e
        ret = e["retention"]
        assert isinstance(ret, dict), e
        assert set(ret) >= {"days", "until", "action"}, e
        assert ret["days"] is None or (isinstance(ret["days"], int) and ret["days"] >= 0), e
        assert ret["until"] is None or isinstance(ret["until"], str), e
        assert ret["days"] is not None or ret["until"], e
        assert ret["action"] in RETENTION_ACTIONS, e
        assert isinstance(e["recipients"], list), e
        for rid in e["recipients"]:
            assert rid in recipient_ids, (e["id"], rid)


def test_recipients_name_their_purpose_and_categories(policy):
    ids = {e["id"] for e in policy["datamap"]}
    for r in policy["recipients"]:
        assert isinstance(r["id"], str) and r["id"], r
        assert isinstance(r["name_zh"], str) and r["name_zh"], r
        assert isinstance(r["name_en"], str) and r["name_en"], r
        assert isinstance(r["purpose"], str) and r["purpose"], r
        assert isinstance(r["categories"], list), r
        for c in r["categories"]:
            assert c in ids, (r["id"], c)
    assert "sms_provider" in {r["id"] for r in policy["recipients"]}


def test_phone_category_is_encrypted_and_needs_the_policy_consent(policy):
    phone = [e for e in policy["datamap"] if e["id"] == "phone"]
    assert phone, "no datamap entry with id 'phone'"
    assert phone[0]["encrypted"] is True
    assert phone[0]["consent"] == "policy"


@pytest.mark.parametrize("word", CATEGORY_WORDS)
def test_datamap_has_category(policy, word):
    assert _entry(policy, word) is not None, f"no datamap category matching {word!r}"


@pytest.mark.parametrize("word", ["face", "bank"])
def test_biometric_and_financial_categories_are_sensitive(policy, word):
    assert _entry(policy, word)["sensitive"] is True


def test_sms_provider_receives_the_phone(policy):
    sms = [r for r in policy["recipients"] if r["id"] == "sms_provider"][0]
    assert "phone" in sms["categories"]
