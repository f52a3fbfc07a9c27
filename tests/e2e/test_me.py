"""GET and PATCH /v1/me."""
import pytest

from conftest import assert_error, masked


@pytest.fixture
def me(shared_server):
    token, j, phone = shared_server.new_user()
    return shared_server, token, j["user"], phone


def test_me_shows_the_masked_phone_and_defaults(me):
    srv, token, user, phone = me
    r = srv.get("/v1/me", token=token)
    assert r.status_code == 200
    j = r.json()
    assert set(j) >= {"id", "phone_masked", "nickname", "role", "created_at"}
    assert j["phone_masked"] == masked(phone)
    assert j["nickname"] is None
    assert j["role"] == "customer"
    assert j == user
    assert phone not in r.text


def test_patch_sets_the_nickname(me):
    srv, token, user, _ = me
    r = srv.patch("/v1/me", token=token, json={"nickname": "小明"})
    assert r.status_code == 200
    j = r.json()
    assert j["nickname"] == "小明"
    assert j["id"] == user["id"] and j["role"] == "customer"
    assert srv.get("/v1/me", token=token).json() == j


def test_patch_sets_the_role_to_agent_and_back(me):
    srv, token, _, _ = me
    r = srv.patch("/v1/me", token=token, json={"role": "agent"})
    assert r.status_code == 200 and r.json()["role"] == "agent"
    assert srv.get("/v1/me", token=token).json()["role"] == "agent"
    r = srv.patch("/v1/me", token=token, json={"role": "customer"})
    assert r.status_code == 200 and r.json()["role"] == "customer"


def test_patch_sets_both_fields_at_once(me):
    srv, token, _, _ = me
    r = srv.patch("/v1/me", token=token, json={"nickname": "Ann", "role": "agent"})
    assert r.status_code == 200
    assert r.json()["nickname"] == "Ann" and r.json()["role"] == "agent"


def test_patch_without_a_field_keeps_the_other(me):
    srv, token, _, _ = me
    srv.patch("/v1/me", token=token, json={"nickname": "Ann"})
    r = srv.patch("/v1/me", token=token, json={"role": "agent"})
    assert r.status_code == 200
    assert r.json()["nickname"] == "Ann"


@pytest.mark.parametrize("nickname", ["a", "x" * 32, "名" * 32, "😀" * 32, "Zoë ñ", "a b"],
                         ids=["one", "32-ascii", "32-cjk", "32-emoji", "accents", "space"])
def test_nicknames_up_to_32_characters_are_accepted(me, nickname):
    srv, token, _, _ = me
    r = srv.patch("/v1/me", token=token, json={"nickname": nickname})
    assert r.status_code == 200
    assert r.json()["nickname"] == nickname
    assert srv.get("/v1/me", token=token).json()["nickname"] == nickname


@pytest.mark.parametrize("nickname", [
    "",
    "x" * 33,
    "名" * 33,
    "😀" * 33,
    "a\u0001b",
    "a\nb",
    "a\tb",
    "\u001f",
    "a\u007fb",
    "x" * 10000,
], ids=["empty", "33-ascii", "33-cjk", "33-emoji", "soh", "newline", "tab", "us", "del", "10000"])
def test_bad_nicknames_are_validation_errors(me, nickname):
    srv, token, _, _ = me
    r = srv.patch("/v1/me", token=token, json={"nickname": nickname})
    assert_error(r, 422, "validation_failed", field="nickname")
    assert srv.get("/v1/me", token=token).json()["nickname"] is None


@pytest.mark.parametrize("nickname", [None, 5, True, ["a"], {"a": "b"}, 1.5])
def test_mistyped_nicknames_are_validation_errors(me, nickname):
    srv, token, _, _ = me
    assert_error(srv.patch("/v1/me", token=token, json={"nickname": nickname}),
                 422, "validation_failed", field="nickname")


@pytest.mark.parametrize("role", ["admin", "Agent", "CUSTOMER", "", " agent", None, 1, ["agent"], True])
def test_bad_roles_are_validation_errors(me, role):
    srv, token, _, _ = me
    r = srv.patch("/v1/me", token=token, json={"role": role})
    assert_error(r, 422, "validation_failed", field="role")
    assert srv.get("/v1/me", token=token).json()["role"] == "customer"


@pytest.mark.parametrize("field", ["id", "phone", "phone_masked", "created_at", "is_admin"])
def test_patching_an_unknown_or_read_only_field_is_a_validation_error(me, field):
    srv, token, user, _ = me
    r = srv.patch("/v1/me", token=token, json={"nickname": "ok", field: "1"})
    assert_error(r, 422, "validation_failed", field=field)
    assert srv.get("/v1/me", token=token).json() == user


def test_a_rejected_patch_changes_nothing(me):
    srv, token, user, _ = me
    r = srv.patch("/v1/me", token=token, json={"nickname": "valid", "role": "admin"})
    assert_error(r, 422, "validation_failed", field="role")
    assert srv.get("/v1/me", token=token).json() == user


def test_patch_needs_a_token(shared_server):
    assert_error(shared_server.patch("/v1/me", json={"nickname": "x"}), 401, "unauthorized")


def test_one_users_patch_does_not_touch_another(shared_server):
    a, _, _ = shared_server.new_user()
    b, jb, _ = shared_server.new_user()
    assert shared_server.patch("/v1/me", token=a, json={"nickname": "A"}).status_code == 200
    assert shared_server.get("/v1/me", token=b).json() == jb["user"]
