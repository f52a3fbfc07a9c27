"""Sign-in with an SMS code: codes, consent, logout, tokens."""
import re
import time

import pytest

from conftest import (assert_error, dashed, error_extra, masked, new_phone, phone_digits,
                      wrong_code)


def _login(srv, phone, code, accept=None, device_id="d1", **kw):
    return srv.post("/v1/auth/login", json=srv.login_body(phone, code, device_id, accept=accept), **kw)


def _check_user(user, phone):
    assert re.fullmatch(r"[0-9]+", user["id"]), user
    assert user["phone_masked"] == masked(phone)
    assert user["nickname"] is None
    assert user["role"] == "customer"
    assert isinstance(user["created_at"], int)
    assert abs(user["created_at"] - time.time() * 1000) < 600_000, "created_at is not ms since epoch"


def test_the_whole_sign_in_flow_with_the_code_from_the_sms_sink(server):
    phone = new_phone()
    r = server.request_code(phone)
    assert r.status_code == 202
    assert r.json() == {"expires_in": 300}
    code = server.read_sms(phone)
    sms = server.sms_lines(phone)[-1]
    assert sms["to"] == "+86" + phone
    assert sms["template"] == "login_code"
    assert abs(sms["at"] - time.time() * 1000) < 600_000

    version = server.policy_version()
    r = _login(server, phone, code, accept=version)
    assert r.status_code == 200
    j = r.json()
    assert isinstance(j["token"], str) and len(j["token"]) >= 16
    assert j["new_user"] is True
    _check_user(j["user"], phone)

    me = server.get("/v1/me", token=j["token"])
    assert me.status_code == 200
    assert me.json() == j["user"]


@pytest.mark.parametrize("form", ["+86{d}", "86{d}", "+86 {a}-{b}-{c}", "{a} {b} {c}", "{a}-{b}-{c}"])
def test_sms_code_accepts_phone_in_common_forms(shared_server, form):
    d = new_phone()
    phone = form.format(d=d, a=d[:3], b=d[3:7], c=d[7:])
    r = shared_server.request_code(phone)
    assert r.status_code == 202
    assert shared_server.read_sms(d)  # normalised to +86<digits>


def test_phone_forms_name_the_same_user(shared_server):
    phone = new_phone()
    token, first = shared_server.login(dashed(phone))
    assert first["new_user"] is True
    token2, again = shared_server.login("+86" + phone, device_id="d2", accept=False)
    assert again["new_user"] is False
    assert again["user"]["id"] == first["user"]["id"]


@pytest.mark.parametrize("phone", [
    "12345678901",      # second digit 2
    "10345678901",      # second digit 0
    "1381234567",       # 10 digits
    "138123456789",     # 12 digits
    "+1 415 555 0100",  # not China
    "+85 13812345678",
    "0086 13812345678x",
    "abcdefghijk",
    "",
    "１３８１２３４５６７８",  # full-width digits
    "138 1234 567 8 9",
])
def test_sms_code_with_a_bad_phone_is_a_validation_error(shared_server, phone):
    assert_error(shared_server.request_code(phone), 422, "validation_failed", field="phone")


@pytest.mark.parametrize("body", [
    {},
    {"phone": None},
    {"phone": 13812345678},
    {"phone": ["13812345678"]},
    {"phone": {"n": "13812345678"}},
    {"phone": True},
])
def test_sms_code_with_missing_or_mistyped_phone_is_a_validation_error(shared_server, body):
    r = shared_server.post("/v1/auth/sms-code", json=body)
    assert_error(r, 422, "validation_failed", field="phone")


def test_login_with_a_wrong_code_is_unauthorized(shared_server):
    phone = new_phone()
    code = shared_server.send_code(phone)
    r = _login(shared_server, phone, wrong_code(code), accept=shared_server.policy_version())
    assert_error(r, 401, "invalid_code")


def test_login_without_requesting_a_code_is_unauthorized(shared_server):
    r = _login(shared_server, new_phone(), "123456", accept=shared_server.policy_version())
    assert_error(r, 401, "invalid_code")


def test_a_code_only_works_for_the_phone_it_was_sent_to(shared_server):
    a, b = new_phone(), new_phone()
    code_a = shared_server.send_code(a)
    code_b = shared_server.send_code(b)
    if code_a == code_b:
        pytest.skip("both phones got the same random code")
    r = _login(shared_server, b, code_a, accept=shared_server.policy_version())
    assert_error(r, 401, "invalid_code")


def test_login_with_expired_code_is_unauthorized(make_server):
    srv = make_server("--otp-ttl", "1")
    phone = new_phone()
    r = srv.request_code(phone)
    assert r.status_code == 202
    assert r.json() == {"expires_in": 1}
    code = srv.read_sms(phone)
    version = srv.policy_version()
    time.sleep(2.1)
    assert_error(_login(srv, phone, code, accept=version), 401, "invalid_code")


def test_login_with_a_used_code_is_unauthorized(shared_server):
    phone = new_phone()
    code = shared_server.send_code(phone)
    version = shared_server.policy_version()
    assert _login(shared_server, phone, code, accept=version).status_code == 200
    assert_error(_login(shared_server, phone, code, accept=version), 401, "invalid_code")
    assert_error(_login(shared_server, phone, code, accept=version, device_id="d2"), 401, "invalid_code")


def test_fifth_wrong_code_is_too_many_attempts_and_kills_the_code(shared_server):
    phone = new_phone()
    code = shared_server.send_code(phone)
    version = shared_server.policy_version()
    bad = wrong_code(code)
    for _ in range(4):
        assert_error(_login(shared_server, phone, bad, accept=version), 401, "invalid_code")
    assert_error(_login(shared_server, phone, bad, accept=version), 429, "too_many_attempts")
    assert_error(_login(shared_server, phone, code, accept=version), 401, "invalid_code")


def test_a_new_code_works_after_too_many_attempts(shared_server):
    phone = new_phone()
    code = shared_server.send_code(phone)
    version = shared_server.policy_version()
    for _ in range(5):
        _login(shared_server, phone, wrong_code(code), accept=version)
    code = shared_server.send_code(phone)
    assert _login(shared_server, phone, code, accept=version).status_code == 200


def test_four_wrong_codes_do_not_kill_the_code(shared_server):
    phone = new_phone()
    code = shared_server.send_code(phone)
    version = shared_server.policy_version()
    for _ in range(4):
        assert_error(_login(shared_server, phone, wrong_code(code), accept=version), 401, "invalid_code")
    assert _login(shared_server, phone, code, accept=version).status_code == 200


def test_new_user_without_policy_version_needs_consent(shared_server):
    phone = new_phone()
    code = shared_server.send_code(phone)
    version = shared_server.policy_version()
    r = _login(shared_server, phone, code)
    assert_error(r, 403, "consent_required")
    assert error_extra(r, "scope") == "policy"
    assert error_extra(r, "version") == version


@pytest.mark.parametrize("given", ["0000000000000000", "", "latest"])
def test_new_user_with_a_wrong_policy_version_needs_consent(shared_server, given):
    phone = new_phone()
    code = shared_server.send_code(phone)
    r = _login(shared_server, phone, code, accept=given)
    assert_error(r, 403, "consent_required")
    assert error_extra(r, "scope") == "policy"
    assert error_extra(r, "version") == shared_server.policy_version()


def test_consent_required_does_not_consume_the_code(shared_server):
    phone = new_phone()
    code = shared_server.send_code(phone)
    assert_error(_login(shared_server, phone, code), 403, "consent_required")
    assert_error(_login(shared_server, phone, code, accept="0000000000000000"), 403, "consent_required")
    r = _login(shared_server, phone, code, accept=shared_server.policy_version())
    assert r.status_code == 200
    assert r.json()["new_user"] is True


def test_existing_user_logs_in_without_policy_version(shared_server):
    phone = new_phone()
    _, first = shared_server.login(phone)
    code = shared_server.send_code(phone)
    r = _login(shared_server, phone, code, device_id="d2")
    assert r.status_code == 200
    j = r.json()
    assert j["new_user"] is False
    assert j["user"]["id"] == first["user"]["id"]


def test_consent_is_recorded_in_my_consents(shared_server):
    before = time.time() * 1000
    token, _, _ = shared_server.new_user()
    r = shared_server.get("/v1/me/consents", token=token)
    assert r.status_code == 200
    items = r.json()["items"]
    assert len(items) == 1
    c = items[0]
    assert c["scope"] == "policy"
    assert c["version"] == shared_server.policy_version()
    assert isinstance(c["granted_at"], int) and before - 60_000 <= c["granted_at"] <= time.time() * 1000 + 60_000
    assert c["withdrawn_at"] is None


def test_a_refused_consent_creates_no_user(shared_server):
    phone = new_phone()
    code = shared_server.send_code(phone)
    assert_error(_login(shared_server, phone, code), 403, "consent_required")
    # A later sign-in is still a new user that must consent.
    assert_error(_login(shared_server, phone, code, device_id="d9"), 403, "consent_required")


def test_logout_kills_the_token(shared_server):
    token, _, _ = shared_server.new_user()
    r = shared_server.post("/v1/auth/logout", token=token)
    assert r.status_code == 204
    assert r.content == b""
    assert_error(shared_server.get("/v1/me", token=token), 401, "unauthorized")
    assert_error(shared_server.post("/v1/auth/logout", token=token), 401, "unauthorized")


def test_logout_without_a_token_is_unauthorized(shared_server):
    assert_error(shared_server.post("/v1/auth/logout"), 401, "unauthorized")


@pytest.mark.parametrize("auth", [
    None,
    "",
    "Bearer",
    "Bearer ",
    "Bearer not-a-token",
    "Bearer " + "A" * 4096,
    "Basic dXNlcjpwYXNz",
    "Token abcdef",
])
def test_me_with_a_missing_or_malformed_token_is_unauthorized(shared_server, auth):
    headers = {} if auth is None else {"Authorization": auth}
    for path in ("/v1/me", "/v1/me/devices", "/v1/me/consents"):
        assert_error(shared_server.get(path, headers=headers), 401, "unauthorized")


def _flip(c):
    if c.isdigit():
        return "1" if c != "1" else "2"
    if c.isalpha():
        return ("b" if c.lower() != "b" else "c") if c.islower() else ("B" if c != "B" else "C")
    return "A"


def test_a_tampered_token_is_unauthorized(shared_server):
    token, _, _ = shared_server.new_user()
    mid = len(token) // 2
    flipped = token[:mid] + _flip(token[mid]) + token[mid + 1:]
    for t in (flipped, token + "x", token[:-2], token[2:]):
        assert_error(shared_server.get("/v1/me", token=t), 401, "unauthorized")
    assert shared_server.get("/v1/me", token=token).status_code == 200


def test_tokens_differ_between_sign_ins(shared_server):
    phone = new_phone()
    t1, _ = shared_server.login(phone, device_id="a")
    t2, _ = shared_server.login(phone, device_id="b", accept=False)
    assert t1 != t2
    assert phone_digits(phone) not in t1 + t2


@pytest.mark.parametrize("code", ["12345", "1234567", "abcdef", "12345a", " 123456", "", "１２３４５６"])
def test_login_with_a_malformed_code_is_a_validation_error(shared_server, code):
    phone = new_phone()
    r = _login(shared_server, phone, code, accept=shared_server.policy_version())
    assert_error(r, 422, "validation_failed", field="code")


@pytest.mark.parametrize("code", [123456, None, ["123456"], 123456.0, True])
def test_login_with_a_mistyped_code_is_a_validation_error(shared_server, code):
    body = {"phone": new_phone(), "code": code, "device": {"id": "d1"}}
    assert_error(shared_server.post("/v1/auth/login", json=body), 422, "validation_failed", field="code")


def test_login_without_a_code_is_a_validation_error(shared_server):
    body = {"phone": new_phone(), "device": {"id": "d1"}}
    assert_error(shared_server.post("/v1/auth/login", json=body), 422, "validation_failed", field="code")


@pytest.mark.parametrize("phone", [None, 13812345678, "12345678901", ""])
def test_login_with_a_bad_phone_is_a_validation_error(shared_server, phone):
    body = {"phone": phone, "code": "123456", "device": {"id": "d1"}}
    assert_error(shared_server.post("/v1/auth/login", json=body), 422, "validation_failed", field="phone")


@pytest.mark.parametrize("device,field", [
    (None, "device"),
    ("d1", "device"),
    (["d1"], "device"),
    ({}, "device.id"),
    ({"id": None}, "device.id"),
    ({"id": ""}, "device.id"),
    ({"id": 1}, "device.id"),
    ({"id": "x" * 129}, "device.id"),
    ({"id": "d1", "name": "n" * 65}, "device.name"),
    ({"id": "d1", "name": 5}, "device.name"),
    ({"id": "d1", "platform": "p" * 33}, "device.platform"),
    ({"id": "d1", "platform": ["ios"]}, "device.platform"),
    ({"id": "d1", "colour": "red"}, "device.colour"),
])
def test_login_with_a_bad_device_is_a_validation_error(shared_server, device, field):
    body = {"phone": new_phone(), "code": "123456", "device": device}
    assert_error(shared_server.post("/v1/auth/login", json=body), 422, "validation_failed", field=field)


def test_login_without_a_device_is_a_validation_error(shared_server):
    body = {"phone": new_phone(), "code": "123456"}
    assert_error(shared_server.post("/v1/auth/login", json=body), 422, "validation_failed", field="device")


def test_device_fields_at_their_maximum_length_are_accepted(shared_server):
    phone = new_phone()
    code = shared_server.send_code(phone)
    body = {"phone": phone, "code": code,
            "device": {"id": "i" * 128, "name": "名" * 64, "platform": "p" * 32},
            "accept_policy_version": shared_server.policy_version()}
    r = shared_server.post("/v1/auth/login", json=body)
    assert r.status_code == 200
    devs = shared_server.get("/v1/me/devices", token=r.json()["token"]).json()["items"]
    assert devs[0]["name"] == "名" * 64
    assert devs[0]["platform"] == "p" * 32


@pytest.mark.parametrize("version", [16, None, ["x"]])
def test_login_with_a_mistyped_policy_version_is_a_validation_error(shared_server, version):
    body = {"phone": new_phone(), "code": "123456", "device": {"id": "d1"},
            "accept_policy_version": version}
    r = shared_server.post("/v1/auth/login", json=body)
    assert_error(r, 422, "validation_failed", field="accept_policy_version")


def test_login_with_an_unknown_field_is_a_validation_error(shared_server):
    body = {"phone": new_phone(), "code": "123456", "device": {"id": "d1"}, "remember_me": True}
    r = shared_server.post("/v1/auth/login", json=body)
    assert_error(r, 422, "validation_failed", field="remember_me")
