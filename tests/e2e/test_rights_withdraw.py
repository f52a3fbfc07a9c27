"""七.三 withdrawal: withdrawing the whole policy (after the identity
check) leaves the account its rights only; granting the current version
restores it; withdrawing one optional scope stops only its purpose."""
import pytest

from conftest import (assert_error, grant_consent, open_conversation, post_message, send_text,
                      wrong_code, ws_raw_connect)
from rights_helpers import Planted, export, step_up_code, withdraw_policy


@pytest.fixture
def pair(shared_server):
    a = Planted(shared_server, "a")
    b = Planted(shared_server, "b")
    cid = open_conversation(shared_server, a.token, b.id)["id"]
    return a, b, cid


def test_withdrawing_the_policy_leaves_only_the_rights(shared_server, pair):
    a, b, cid = pair
    withdraw_policy(shared_server, a.token, a.phone)
    srv = shared_server
    for method, path, body in [
        ("GET", "/v1/conversations", None),
        ("GET", f"/v1/conversations/{cid}", None),
        ("POST", f"/v1/conversations/{cid}/messages",
         {"client_id": "w1", "kind": "text", "body": {"text": "hi"}}),
        ("GET", "/v1/me/devices", None),
        ("PATCH", "/v1/me", {"nickname": "x"}),
        ("GET", "/v1/sync", None),
        ("POST", "/v1/conversations", {"peer_id": b.id}),
    ]:
        assert_error(srv.request(method, path, token=a.token, json=body), 403, "policy_withdrawn")
    me = srv.get("/v1/me", token=a.token)
    assert me.status_code == 200 and me.json()["policy"]["withdrawn"] is True
    assert srv.get("/v1/me/consents", token=a.token).status_code == 200
    assert srv.get("/v1/privacy/policy", token=a.token).status_code == 200
    export(srv, a.token, a.phone)
    # the peer is not affected
    send_text(srv, b.token, cid)


def test_the_websocket_upgrade_is_refused_after_withdrawal(shared_server, pair):
    a, _, _ = pair
    withdraw_policy(shared_server, a.token, a.phone)
    sock, status, head, _ = ws_raw_connect(shared_server, f"/v1/ws?token={a.token}")
    sock.close()
    assert status == 403, head


def test_logout_still_works_after_withdrawal(shared_server, pair):
    a, _, _ = pair
    withdraw_policy(shared_server, a.token, a.phone)
    assert shared_server.post("/v1/auth/logout", token=a.token).status_code in (200, 204)
    assert_error(shared_server.get("/v1/me", token=a.token), 401, "unauthorized")


def test_granting_the_current_version_again_restores_the_account(shared_server, pair):
    a, _, cid = pair
    withdraw_policy(shared_server, a.token, a.phone)
    r = shared_server.request("PUT", "/v1/me/consents/policy", token=a.token,
                              json={"version": "0000000000000000"})
    assert_error(r, 422, "validation_failed", field="version")
    assert_error(shared_server.get("/v1/conversations", token=a.token), 403, "policy_withdrawn")
    grant_consent(shared_server, a.token, "policy")
    me = shared_server.get("/v1/me", token=a.token).json()
    assert me["policy"] == {"version": shared_server.policy_version(), "withdrawn": False}
    assert shared_server.get("/v1/conversations", token=a.token).status_code == 200
    send_text(shared_server, a.token, cid)
    items = shared_server.get("/v1/me/consents", token=a.token).json()["items"]
    pol = [x for x in items if x["scope"] == "policy"]
    assert pol and pol[0]["withdrawn_at"] is None


@pytest.mark.parametrize("body", [None, {}, {"code": "000000"}], ids=["none", "empty", "wrong"])
def test_withdrawing_the_policy_without_the_right_code_is_401_and_changes_nothing(shared_server,
                                                                                   pair, body):
    a, _, _ = pair
    code = step_up_code(shared_server, a.token, a.phone)
    if body and code == body["code"]:
        body = {"code": wrong_code(code)}
    r = shared_server.delete("/v1/me/consents/policy", token=a.token, json=body)
    assert_error(r, 401, "verification_required")
    assert shared_server.get("/v1/me", token=a.token).json()["policy"]["withdrawn"] is False
    assert shared_server.get("/v1/conversations", token=a.token).status_code == 200


@pytest.mark.parametrize("body,status,code,field", [
    ({"code": 123456}, 422, "validation_failed", "code"),
    ({"code": "123456", "why": "x"}, 422, "validation_failed", "why"),
    ([], 400, "invalid_json", None),
], ids=["int", "unknown", "array"])
def test_a_bad_policy_withdrawal_is_a_clear_4xx(shared_server, pair, body, status, code, field):
    a, _, _ = pair
    r = shared_server.delete("/v1/me/consents/policy", token=a.token, json=body)
    assert_error(r, status, code, field=field)


def test_an_optional_scope_withdrawal_takes_no_fields(shared_server, pair):
    a, _, _ = pair
    r = shared_server.delete("/v1/me/consents/location", token=a.token, json={"code": "123456"})
    assert_error(r, 422, "validation_failed", field="code")
    assert shared_server.delete("/v1/me/consents/location", token=a.token, json={}).status_code == 204


def test_withdrawing_location_stops_only_location_messages(shared_server, pair):
    a, _, cid = pair
    grant_consent(shared_server, a.token, "location")
    loc = {"lat": 31.2, "lng": 121.4, "name": "n", "address": "a"}
    assert post_message(shared_server, a.token, cid, "location", loc).status_code == 201
    assert shared_server.delete("/v1/me/consents/location", token=a.token).status_code == 204
    assert_error(post_message(shared_server, a.token, cid, "location", loc), 403,
                 "consent_required")
    send_text(shared_server, a.token, cid)
    assert post_message(shared_server, a.token, cid, "property", {"x": 1}).status_code == 201
    assert shared_server.get("/v1/me", token=a.token).json()["policy"]["withdrawn"] is False
