"""八 (issue 13, F20): a buyer who states they are under 14 keeps only
their rights until a guardian consents by a code sent to the guardian's
phone; the child cannot lift that by saying they are older; a guardian's
withdrawal deletes the child's data; bad input."""
import pytest

from conftest import (SHARED_FLAGS, Server, _finish, _require_binary, assert_error, db_file_bytes,
                      eventually, new_phone, phone_digits, read_jsonl)


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    _require_binary()
    s = Server(tmp_path_factory.mktemp("minors"), SHARED_FLAGS)
    s.start()
    yield s
    _finish([s])


def guardian_code(srv, phone, before=0):
    to = "+86" + phone_digits(phone)

    def got():
        lines = [o for o in read_jsonl(srv.sink, lambda o: o.get("to") == to)
                 if o["template"] == "guardian_code"]
        return lines[-1]["params"]["code"] if len(lines) > before else None
    return eventually(got, timeout=5)


def child(srv):
    token, _, phone = srv.new_user()
    r = srv.request("PUT", "/v1/me/age-range", token=token, json={"age_range": "under_14"})
    assert r.status_code == 200, r.content[:300]
    assert r.json()["guardian_required"] is True
    return token, phone


def test_a_stated_under_14_buyer_may_use_only_their_rights_until_a_guardian_consents(srv):
    token, _ = child(srv)
    assert_error(srv.get("/v1/conversations", token=token), 403, "guardian_consent_required")
    assert_error(srv.post("/v1/conversations", token=token, json={"peer_id": "1"}), 403,
                 "guardian_consent_required")
    assert srv.get("/v1/me", token=token).status_code == 200  # rights stay open
    assert srv.get("/v1/developments", token=token).status_code == 200  # browsing too
    g = new_phone()
    r = srv.post("/v1/me/guardian", token=token, json={"phone": g})
    assert r.status_code == 202, r.content[:300]
    code = guardian_code(srv, g)
    wrong = "000000" if code != "000000" else "111111"
    assert_error(srv.post("/v1/me/guardian/confirm", token=token, json={"code": wrong}), 401,
                 "invalid_code")
    r = srv.post("/v1/me/guardian/confirm", token=token, json={"code": code})
    assert r.status_code == 200, r.content[:300]
    d = phone_digits(g)
    assert r.json() == {"age_range": "under_14", "guardian_required": False,
                        "guardian_consented": True,
                        "guardian_phone_masked": d[:3] + "****" + d[-4:]}
    assert srv.get("/v1/conversations", token=token).status_code == 200
    # the guardian's number is sealed, never in clear in the database
    assert d.encode() not in db_file_bytes(srv)
    consents = srv.get("/v1/me/consents", token=token).json()["items"]
    assert any(c["scope"] == "guardian" and c["granted_at"] for c in consents)


def test_the_child_cannot_lift_the_block_by_saying_it_is_older(srv):
    token, _ = child(srv)
    assert_error(srv.request("PUT", "/v1/me/age-range", token=token, json={"age_range": "adult"}),
                 403, "forbidden", "age_range")
    assert_error(srv.get("/v1/conversations", token=token), 403, "guardian_consent_required")
    # a buyer who is not a child states a range freely
    other, _, _ = srv.new_user()
    for rng in ("14_17", "adult"):
        r = srv.request("PUT", "/v1/me/age-range", token=other, json={"age_range": rng})
        assert r.status_code == 200 and r.json()["guardian_required"] is False
    assert srv.get("/v1/conversations", token=other).status_code == 200


def test_a_guardians_withdrawal_deletes_the_childs_data(srv):
    token, phone = child(srv)
    g = new_phone()
    srv.post("/v1/me/guardian", token=token, json={"phone": g})
    srv.post("/v1/me/guardian/confirm", token=token, json={"code": guardian_code(srv, g)})
    srv.patch("/v1/me", token=token, json={"nickname": "小明同学"})
    r = srv.post("/v1/me/guardian", token=token)  # a code to the guardian, to withdraw
    assert r.status_code == 202
    code = guardian_code(srv, g, before=1)
    r = srv.post("/v1/me/guardian/withdraw", token=token, json={"code": code})
    assert r.status_code == 200, r.content[:300]
    assert any(s["table"] == "guardians" for s in r.json()["stores"])
    assert_error(srv.get("/v1/me", token=token), 401, "unauthorized")
    assert "小明同学".encode() not in db_file_bytes(srv)


@pytest.mark.parametrize("body, status, code, field", [
    ({"age_range": "toddler"}, 422, "validation_failed", "age_range"),
    ({"age_range": 12}, 422, "validation_failed", "age_range"),
    ({}, 422, "validation_failed", "age_range"),
])
def test_bad_age_ranges_are_refused(srv, body, status, code, field):
    token, _, _ = srv.new_user()
    assert_error(srv.request("PUT", "/v1/me/age-range", token=token, json=body), status, code,
                 field)


def test_a_guardian_is_asked_only_for_a_child_and_with_a_real_number(srv):
    token, _, _ = srv.new_user()
    assert_error(srv.post("/v1/me/guardian", token=token, json={"phone": new_phone()}), 409,
                 "conflict")
    kid, _ = child(srv)
    assert_error(srv.post("/v1/me/guardian", token=kid, json={"phone": "12345"}), 422,
                 "validation_failed", "phone")
    assert_error(srv.post("/v1/me/guardian", token=kid), 404, "not_found")  # none consented
    assert_error(srv.post("/v1/me/guardian/withdraw", token=kid, json={"code": "123456"}), 404,
                 "not_found")


def test_a_child_cannot_grant_the_guardian_consent_itself(srv):
    token, _ = child(srv)
    assert_error(srv.request("PUT", "/v1/me/consents/guardian", token=token,
                             json={"version": srv.policy_version()}), 403, "forbidden")
    assert_error(srv.get("/v1/conversations", token=token), 403, "guardian_consent_required")
