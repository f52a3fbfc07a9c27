"""Helpers for the rights tests (test_rights_*.py): the identity-check code
sent to the account's own phone, export and cancellation calls."""
import time

from conftest import phone_digits, read_jsonl


def verify_lines(srv, phone):
    to = "+86" + phone_digits(phone)
    return read_jsonl(srv.sink, lambda o: o.get("to") == to and o.get("template") == "verify_code")


def step_up_code(srv, token, phone, timeout=5.0):
    """POST /v1/me/sms-code (asserting 202) and the code from the SMS that
    reached the account's phone."""
    before = len(verify_lines(srv, phone))
    r = srv.post("/v1/me/sms-code", token=token)
    assert r.status_code == 202, f"sms-code: {r.status_code} {r.content[:300]!r}"
    assert isinstance(r.json().get("expires_in"), int)
    deadline = time.monotonic() + timeout
    while True:
        lines = verify_lines(srv, phone)
        if len(lines) > before:
            return lines[-1]["params"]["code"]
        assert time.monotonic() < deadline, "no verify_code SMS"
        time.sleep(0.02)


def export(srv, token, phone):
    code = step_up_code(srv, token, phone)
    r = srv.post("/v1/me/export", token=token, json={"code": code})
    assert r.status_code == 200, f"export: {r.status_code} {r.content[:300]!r}"
    return r


def cancel(srv, token, phone):
    code = step_up_code(srv, token, phone)
    r = srv.post("/v1/me/cancel", token=token, json={"code": code})
    assert r.status_code == 200, f"cancel: {r.status_code} {r.content[:300]!r}"
    return r.json()


def withdraw_policy(srv, token, phone):
    code = step_up_code(srv, token, phone)
    r = srv.delete("/v1/me/consents/policy", token=token, json={"code": code})
    assert r.status_code == 204, f"withdraw: {r.status_code} {r.content[:300]!r}"
