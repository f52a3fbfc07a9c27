"""Devices and their sessions: listing, removal, re-login."""
import re

import pytest

from conftest import assert_error, new_phone


def _devices(srv, token):
    r = srv.get("/v1/me/devices", token=token)
    assert r.status_code == 200
    return r.json()["items"]


def test_one_device_after_the_first_sign_in(shared_server):
    token, _, _ = shared_server.new_user(device_id="phone-a", name="Mate 60", platform="android")
    items = _devices(shared_server, token)
    assert len(items) == 1
    d = items[0]
    assert re.fullmatch(r"[0-9]+", d["id"]), d
    assert d["name"] == "Mate 60"
    assert d["platform"] == "android"
    assert d["current"] is True
    assert isinstance(d["created_at"], int)
    assert isinstance(d["last_seen_at"], int) and d["last_seen_at"] >= d["created_at"]


def test_two_devices_and_the_current_flag(shared_server):
    phone = new_phone()
    t1, _ = shared_server.login(phone, device_id="phone-a", name="A", platform="android")
    t2, j2 = shared_server.login(phone, device_id="phone-b", name="B", platform="ios", accept=False)
    assert j2["new_user"] is False
    for token, mine in ((t1, "A"), (t2, "B")):
        items = _devices(shared_server, token)
        assert len(items) == 2
        assert {d["name"] for d in items} == {"A", "B"}
        current = [d for d in items if d["current"]]
        assert len(current) == 1 and current[0]["name"] == mine
        assert all(isinstance(d["current"], bool) for d in items)
        assert len({d["id"] for d in items}) == 2


def test_same_device_re_login_kills_the_old_token(shared_server):
    phone = new_phone()
    old, _ = shared_server.login(phone, device_id="phone-a", name="A")
    new, _ = shared_server.login(phone, device_id="phone-a", name="A", accept=False)
    assert old != new
    assert_error(shared_server.get("/v1/me", token=old), 401, "unauthorized")
    assert shared_server.get("/v1/me", token=new).status_code == 200
    assert len(_devices(shared_server, new)) == 1


def test_logout_leaves_the_other_device_signed_in(shared_server):
    phone = new_phone()
    t1, _ = shared_server.login(phone, device_id="phone-a")
    t2, _ = shared_server.login(phone, device_id="phone-b", accept=False)
    assert shared_server.post("/v1/auth/logout", token=t1).status_code == 204
    assert_error(shared_server.get("/v1/me", token=t1), 401, "unauthorized")
    assert shared_server.get("/v1/me", token=t2).status_code == 200


def test_device_removal_kills_its_tokens(shared_server):
    phone = new_phone()
    t1, _ = shared_server.login(phone, device_id="phone-a", name="A")
    t2, _ = shared_server.login(phone, device_id="phone-b", name="B", accept=False)
    a = [d for d in _devices(shared_server, t2) if d["name"] == "A"][0]
    r = shared_server.delete(f"/v1/me/devices/{a['id']}", token=t2)
    assert r.status_code == 204
    assert r.content == b""
    assert_error(shared_server.get("/v1/me", token=t1), 401, "unauthorized")
    assert shared_server.get("/v1/me", token=t2).status_code == 200
    items = _devices(shared_server, t2)
    assert [d["name"] for d in items] == ["B"]
    # removing it again: it is gone
    assert_error(shared_server.delete(f"/v1/me/devices/{a['id']}", token=t2), 404, "not_found")


def test_removing_the_current_device_signs_it_out(shared_server):
    token, _, _ = shared_server.new_user()
    dev = _devices(shared_server, token)[0]
    assert shared_server.delete(f"/v1/me/devices/{dev['id']}", token=token).status_code == 204
    assert_error(shared_server.get("/v1/me", token=token), 401, "unauthorized")


@pytest.mark.parametrize("dev_id", ["1", "999999999999999999", "18446744073709551615",
                                    "99999999999999999999999", "0", "-1", "abc"])
def test_deleting_an_unknown_device_is_not_found(shared_server, dev_id):
    token, _, _ = shared_server.new_user()
    assert_error(shared_server.delete(f"/v1/me/devices/{dev_id}", token=token), 404, "not_found")
    assert len(_devices(shared_server, token)) == 1


def test_deleting_another_users_device_is_not_found(shared_server):
    mallory, _, _ = shared_server.new_user()
    alice, _, _ = shared_server.new_user()
    alice_dev = _devices(shared_server, alice)[0]
    r = shared_server.delete(f"/v1/me/devices/{alice_dev['id']}", token=mallory)
    assert_error(r, 404, "not_found")
    assert shared_server.get("/v1/me", token=alice).status_code == 200
    assert len(_devices(shared_server, alice)) == 1
    assert shared_server.get("/v1/me", token=mallory).status_code == 200


def test_users_see_only_their_own_devices(shared_server):
    a, _, _ = shared_server.new_user(name="mine")
    b, _, _ = shared_server.new_user(name="theirs")
    assert [d["name"] for d in _devices(shared_server, a)] == ["mine"]
    assert [d["name"] for d in _devices(shared_server, b)] == ["theirs"]


def test_the_same_device_id_for_two_users_is_two_devices(shared_server):
    a, _, _ = shared_server.new_user(device_id="shared-tablet")
    b, _, _ = shared_server.new_user(device_id="shared-tablet")
    assert shared_server.get("/v1/me", token=a).status_code == 200
    assert shared_server.get("/v1/me", token=b).status_code == 200
    da = _devices(shared_server, a)[0]
    assert_error(shared_server.delete(f"/v1/me/devices/{da['id']}", token=b), 404, "not_found")


def test_deleting_a_device_needs_a_token(shared_server):
    token, _, _ = shared_server.new_user()
    dev = _devices(shared_server, token)[0]
    assert_error(shared_server.delete(f"/v1/me/devices/{dev['id']}"), 401, "unauthorized")
    assert shared_server.get("/v1/me", token=token).status_code == 200
