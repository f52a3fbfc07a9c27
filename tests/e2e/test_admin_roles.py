"""Staff sign-in and least privilege (六.二.3): one expectation per admin
route and role, checked against every role, a customer and no token; the
table must cover every /v1/admin route of src/api/routes.c."""

from conftest import assert_error, retry_after
from staffkit import (ROLES, STAFF, add_staff, admin_routes, staff_login,  # noqa: F401
                      staff_server, staff_token)

ALL = set(ROLES)
# route -> (roles allowed, probe body, status the probe gets when allowed).
# Probes name ids that do not exist, so an allowed call changes nothing.
MATRIX = {
    ("POST", "/v1/admin/login"): "public",
    ("POST", "/v1/admin/logout"): (ALL, None, 204),
    ("GET", "/v1/admin/staff"): ({"admin"}, None, 200),
    ("GET", "/v1/admin/audit"): ({"auditor"}, None, 200),
    ("GET", "/v1/admin/users/:id"): ({"admin", "support", "reviewer"}, None, 404),
    ("POST", "/v1/admin/users/:id/reveal"): (
        {"admin", "support", "reviewer"}, {"categories": ["nickname"], "reason": "role probe"}, 404),
    ("POST", "/v1/admin/exports"): (
        {"admin", "support"}, {"user_ids": ["1"], "reason": "role probe"}, 422),
    ("GET", "/v1/admin/exports/:id"): ({"admin", "support"}, None, 404),
    ("POST", "/v1/admin/exports/:id/approve"): ({"admin"}, None, 404),
    ("GET", "/v1/admin/requests"): ({"admin", "support"}, None, 200),
    ("GET", "/v1/admin/requests/:id"): ({"admin", "support"}, None, 404),
    ("POST", "/v1/admin/requests/:id/answer"): (
        {"admin", "support"}, {"status": "done", "answer": "probe"}, 404),
    ("POST", "/v1/admin/users/:id/unlawful"): (
        {"admin", "support"}, {"categories": ["location"], "reason": "role probe"}, 404),
    # the staff console (issue 10)
    ("GET", "/v1/admin/me"): (ALL, None, 200),
    ("POST", "/v1/admin/staff"): (
        {"admin"}, {"name": "probe", "role": "nobody", "password": "x" * 12}, 422),
    ("POST", "/v1/admin/staff/:name/disable"): ({"admin"}, None, 404),
    ("GET", "/v1/admin/audit/verify"): ({"auditor"}, None, 200),
    ("POST", "/v1/admin/incidents"): (
        {"admin"}, {"categories": ["nope"], "cause": "c", "harm": "h", "remedies": "r",
                    "actions": "a", "contact": "c", "users": ["1"]}, 422),
    ("POST", "/v1/admin/users/lookup"): (
        {"admin", "support", "reviewer"}, {"phone": "13800000000", "reason": "role probe"}, 404),
    ("GET", "/v1/admin/exports"): ({"admin", "support"}, None, 200),
    # the developments catalogue (issue 13): a development is no personal data
    ("POST", "/v1/admin/developments"): ({"admin"}, {"name": ""}, 422),
    ("GET", "/v1/admin/developments/:id"): ({"admin", "reviewer"}, None, 404),
    ("PUT", "/v1/admin/developments/:id"): ({"admin"}, {"name": ""}, 422),
    ("DELETE", "/v1/admin/developments/:id"): ({"admin"}, None, 404),
    ("POST", "/v1/admin/catalog/images"): ({"admin"}, None, 415),
    # 绑定楼盘 review (issue 13)
    ("GET", "/v1/admin/bindings"): ({"admin", "reviewer"}, None, 200),
    ("POST", "/v1/admin/bindings/:id/documents"): ({"reviewer"}, {"reason": "role probe"}, 404),
    ("POST", "/v1/admin/bindings/:id/decision"): ({"reviewer"}, {"decision": "approve"}, 404),
    ("GET", "/v1/admin/catalog/imports"): ({"admin"}, None, 200),
    # 楼盘点评 and the banned words (issue 14)
    ("GET", "/v1/admin/reviews"): ({"admin", "reviewer"}, None, 200),
    ("POST", "/v1/admin/reviews/:id/takedown"): ({"reviewer"}, {"reason": "x"}, 404),
    ("GET", "/v1/admin/moderation/words"): ({"admin", "reviewer"}, None, 200),
    ("GET", "/v1/admin/reports"): ({"admin", "reviewer"}, None, 200),
    ("POST", "/v1/admin/reports/:id/decision"): ({"reviewer"}, {"decision": "dismiss"}, 404),
    ("PUT", "/v1/admin/moderation/words"): ({"admin"}, {"items": "x"}, 422),
}
NAME_OF_ROLE = {"admin": "admin1", "reviewer": "reviewer1", "support": "support1",
                "auditor": "auditor1"}


def test_the_role_matrix_covers_every_admin_route():
    routes = set(admin_routes())
    assert len(routes) >= 12
    assert routes == set(MATRIX), (
        f"routes without an expectation: {routes - set(MATRIX)}; "
        f"expectations without a route: {set(MATRIX) - routes}")


def _call(srv, method, path, token, body):
    url = path.replace(":id", "1").replace(":name", "nobody-here")
    kw = {"json": body} if body is not None else {}
    return srv.request(method, url, token=token, **kw)


def test_staff_role_matrix_every_route_every_role(staff_server):
    srv = staff_server
    customer, _, _ = srv.new_user()
    checked = 0
    for (method, path), want in MATRIX.items():
        if want == "public":
            continue
        allowed, body, ok_status = want
        for role in ROLES:
            # logout ends the session it is called with: use a fresh one
            token = (staff_token(srv, NAME_OF_ROLE[role]) if path.endswith("/logout")
                     else srv.token(NAME_OF_ROLE[role]))
            r = _call(srv, method, path, token, body)
            if role in allowed:
                assert r.status_code == ok_status, (method, path, role, r.status_code, r.text)
            else:
                assert_error(r, 403, "forbidden")
            checked += 1
        assert_error(_call(srv, method, path, customer, body), 401, "unauthorized")
        assert_error(_call(srv, method, path, None, body), 401, "unauthorized")
    assert checked == 4 * (len(MATRIX) - 1)


def test_every_staff_route_refuses_a_customer_session_and_no_token(staff_server):
    # the same 401 with a token that is not a staff token in form either
    r = staff_server.get("/v1/admin/staff", token="x" * 43)
    assert_error(r, 401, "unauthorized")


def test_staff_login_answers_token_role_and_expiry(staff_server):
    r = staff_login(staff_server, "support1")
    assert r.status_code == 200, r.text
    j = r.json()
    assert set(j) == {"token", "name", "role", "expires_in"}
    assert j["name"] == "support1" and j["role"] == "support" and j["expires_in"] == 1800
    assert staff_server.get("/v1/admin/requests", token=j["token"]).status_code == 200


def test_staff_list_has_names_and_roles_but_no_password_hashes(staff_server):
    r = staff_server.get("/v1/admin/staff", token=staff_server.token("admin1"))
    assert r.status_code == 200
    items = r.json()["items"]
    assert {i["name"]: i["role"] for i in items} == STAFF
    for i in items:
        assert set(i) == {"id", "name", "role", "created_at", "disabled_at"}
    assert "argon2" not in r.text and "password" not in r.text


def test_staff_logout_ends_the_session(staff_server):
    token = staff_token(staff_server, "reviewer1")
    r = staff_server.post("/v1/admin/logout", token=token)
    assert r.status_code == 204
    assert_error(staff_server.post("/v1/admin/logout", token=token), 401, "unauthorized")


def test_disabled_staff_token_is_unauthorized(make_server, tmp_path):
    srv = make_server("--sqlite-lock", "shared")
    add_staff(srv.data_dir, "temp.support", "support", shared=True)
    token = staff_token(srv, "temp.support")
    assert srv.get("/v1/admin/requests", token=token).status_code == 200
    from staffkit import wlk
    r = wlk(srv.data_dir, "staff", "disable", "--name", "temp.support", shared=True)
    assert r.returncode == 0, r.stderr
    assert_error(srv.get("/v1/admin/requests", token=token), 401, "unauthorized")
    assert_error(staff_login(srv, "temp.support"), 401, "unauthorized")


def test_wrong_name_and_wrong_password_get_the_same_answer(make_server):
    # Equal work too (an unknown name is checked against a dummy Argon2id
    # hash, src/staff/staff.c); not asserted here: no timing asserts.
    srv = make_server("--sqlite-lock", "shared", "--staff-login-ip-limit", "1000")
    add_staff(srv.data_dir, "timing.admin", "admin", shared=True)
    for i in range(4):  # under the per-name limit of 5
        r1 = staff_login(srv, "timing.admin", "not the password %d" % i)
        r2 = staff_login(srv, "nobody%d" % i, "not the password")
        e1, e2 = assert_error(r1, 401, "unauthorized"), assert_error(r2, 401, "unauthorized")
        assert (e1["message"], e1.get("field")) == (e2["message"], e2.get("field"))
        assert r1.headers.get("Retry-After") == r2.headers.get("Retry-After")


def test_failed_logins_are_limited_per_name(make_server):
    srv = make_server("--sqlite-lock", "shared", "--staff-login-ip-limit", "1000")
    add_staff(srv.data_dir, "target.admin", "admin", shared=True)
    add_staff(srv.data_dir, "other.admin", "admin", shared=True)
    for i in range(5):
        assert_error(staff_login(srv, "target.admin", "guess %d" % i), 401, "unauthorized")
    r = staff_login(srv, "target.admin")  # even the right password now waits
    assert_error(r, 429, "rate_limited")
    assert 1 <= retry_after(r) <= 15 * 60
    # another name from the same address is not held up
    assert staff_login(srv, "other.admin").status_code == 200


def test_failed_logins_are_limited_per_address(make_server):
    srv = make_server("--sqlite-lock", "shared", "--staff-login-ip-limit", "3")
    add_staff(srv.data_dir, "real.admin", "admin", shared=True)
    for i in range(3):
        assert_error(staff_login(srv, "guess%d" % i, "whatever it is"), 401, "unauthorized")
    r = staff_login(srv, "real.admin")
    assert_error(r, 429, "rate_limited")
    assert retry_after(r) >= 1
