"""七.五 the identity check: rights requests need a fresh code sent to the
account's own phone; missing, wrong, another user's or a used code is
401 verification_required."""
import pytest

from conftest import assert_error, wrong_code
from rights_helpers import Planted, step_up_code, verify_lines


@pytest.fixture
def user(shared_server):
    return Planted(shared_server, "s")


def _export(srv, u, body):
    return srv.post("/v1/me/export", token=u.token, json=body)


def test_the_code_goes_to_the_accounts_own_phone_only(shared_server, user):
    step_up_code(shared_server, user.token, user.phone)
    lines = verify_lines(shared_server, user.phone)
    assert len(lines) == 1 and lines[0]["template"] == "verify_code"
    # a phone named by the client is not accepted
    other = "13900000000"
    r = shared_server.post("/v1/me/sms-code", token=user.token, json={"phone": other})
    assert_error(r, 422, "validation_failed", field="phone")
    assert verify_lines(shared_server, other) == []


def test_a_missing_code_is_401_verification_required(shared_server, user):
    step_up_code(shared_server, user.token, user.phone)
    assert_error(_export(shared_server, user, {}), 401, "verification_required", field="code")
    assert_error(shared_server.post("/v1/me/export", token=user.token), 401,
                 "verification_required")


def test_a_wrong_code_is_401_verification_required(shared_server, user):
    code = step_up_code(shared_server, user.token, user.phone)
    assert_error(_export(shared_server, user, {"code": wrong_code(code)}), 401,
                 "verification_required", field="code")
    assert_error(_export(shared_server, user, {"code": "abc"}), 401, "verification_required")
    assert _export(shared_server, user, {"code": code}).status_code == 200


def test_a_reused_code_is_401_verification_required(shared_server, user):
    code = step_up_code(shared_server, user.token, user.phone)
    assert _export(shared_server, user, {"code": code}).status_code == 200
    assert_error(_export(shared_server, user, {"code": code}), 401, "verification_required")


def test_a_code_requested_by_a_cannot_be_used_by_b(shared_server):
    a = Planted(shared_server, "a")
    b = Planted(shared_server, "b")
    code_a = step_up_code(shared_server, a.token, a.phone)
    step_up_code(shared_server, b.token, b.phone)
    assert_error(_export(shared_server, b, {"code": code_a}), 401, "verification_required")
    assert_error(shared_server.post("/v1/me/cancel", token=b.token, json={"code": code_a}), 401,
                 "verification_required")
    assert shared_server.get("/v1/me", token=b.token).status_code == 200
    # and A's code still works for A (B's tries counted against B's code)
    assert _export(shared_server, a, {"code": code_a}).status_code == 200


def test_a_code_with_none_requested_is_401(shared_server, user):
    assert_error(_export(shared_server, user, {"code": "123456"}), 401, "verification_required")


def test_a_sign_in_code_request_of_another_phone_does_not_unlock_this_account(shared_server, user):
    other = Planted(shared_server, "o")
    code = shared_server.send_code(other.phone)
    assert_error(_export(shared_server, user, {"code": code}), 401, "verification_required")


def test_too_many_wrong_codes_end_the_code_like_sign_in(shared_server, user):
    code = step_up_code(shared_server, user.token, user.phone)
    for _ in range(4):
        assert_error(_export(shared_server, user, {"code": wrong_code(code)}), 401,
                     "verification_required")
    assert_error(_export(shared_server, user, {"code": wrong_code(code)}), 429, "too_many_attempts")
    assert_error(_export(shared_server, user, {"code": code}), 401, "verification_required")


def test_step_up_codes_obey_the_sign_in_interval(make_server):
    srv = make_server("--sms-ip-limit", "1000")  # default 60 s between codes to a phone
    u = Planted(srv, "i")
    r = srv.post("/v1/me/sms-code", token=u.token)
    assert_error(r, 429, "rate_limited")
    assert int(r.headers["Retry-After"]) >= 1


@pytest.mark.parametrize("body,status,code,field", [
    ({"x": 1}, 422, "validation_failed", "x"),
    ([1], 400, "invalid_json", None),
], ids=["unknown", "array"])
def test_a_bad_sms_code_request_is_a_clear_4xx(shared_server, user, body, status, code, field):
    r = shared_server.post("/v1/me/sms-code", token=user.token, json=body)
    assert_error(r, status, code, field=field)


def test_sms_code_accepts_no_body_or_an_empty_object(shared_server, user):
    assert shared_server.post("/v1/me/sms-code", token=user.token, json={}).status_code == 202
    assert shared_server.post("/v1/me/sms-code", token=user.token).status_code == 202
    assert_error(shared_server.post("/v1/me/sms-code"), 401, "unauthorized")


def test_no_log_line_holds_the_phone(shared_server, user):
    step_up_code(shared_server, user.token, user.phone)
    assert user.phone not in shared_server.log_text()


def test_a_sign_in_code_does_not_confirm_a_rights_request(shared_server, user):
    srv = shared_server
    login_code = srv.send_code(user.phone)  # a sign-in code to the same phone
    r = srv.post("/v1/me/export", token=user.token, json={"code": login_code})
    assert_error(r, 401, "verification_required")


def test_a_sign_in_code_request_does_not_void_a_pending_identity_check(shared_server, user):
    srv = shared_server
    code = step_up_code(srv, user.token, user.phone)
    srv.send_code(user.phone)  # anyone may ask a sign-in code for a phone
    r = srv.post("/v1/me/export", token=user.token, json={"code": code})
    assert r.status_code == 200, r.text


def test_an_identity_check_code_does_not_sign_in(shared_server, user):
    srv = shared_server
    code = step_up_code(srv, user.token, user.phone)
    r = srv.post("/v1/auth/login", json=srv.login_body(user.phone, code, device_id="other"))
    assert_error(r, 401, "invalid_code")
