"""Staff see personal data masked by default; in clear only per category,
for a role allowed it, with a stated reason, and every such read is in the
audit trail and in the user's own access log. Bulk exports need a second
admin."""

import engine
from conftest import assert_error, db_file_bytes, masked, phone_digits
from staffkit import staff_server, user_with_nickname  # noqa: F401

NICK = "张三丰"


def test_staff_see_a_user_masked_by_default(staff_server):
    srv = staff_server
    _, user, phone = user_with_nickname(srv, NICK)
    for name in ("admin1", "support1", "reviewer1"):
        r = srv.get(f"/v1/admin/users/{user['id']}", token=srv.token(name))
        assert r.status_code == 200, r.text
        j = r.json()
        assert j["id"] == user["id"] and j["phone"] == masked(phone) and j["nickname"] == "张*"
        assert j["role"] == "customer" and isinstance(j["created_at"], int)
        assert phone_digits(phone) not in r.text and NICK not in r.text


def test_unknown_user_is_not_found(staff_server):
    srv = staff_server
    for path in ("/v1/admin/users/12345", "/v1/admin/users/abc"):
        assert_error(srv.get(path, token=srv.token("support1")), 404, "not_found")
    r = srv.post("/v1/admin/users/12345/reveal", token=srv.token("support1"),
                 json={"categories": ["phone"], "reason": "customer called"})
    assert_error(r, 404, "not_found")


def test_reveal_without_a_reason_is_refused(staff_server):
    srv = staff_server
    _, user, _ = user_with_nickname(srv, NICK)
    url = f"/v1/admin/users/{user['id']}/reveal"
    before = srv.get("/v1/admin/audit?limit=500", token=srv.token("auditor1")).json()
    for body in ({"categories": ["phone"]}, {"categories": ["phone"], "reason": ""},
                 {"categories": ["phone"], "reason": "why"},
                 {"categories": ["phone"], "reason": "     "[:4]}):
        r = srv.post(url, token=srv.token("support1"), json=body)
        assert_error(r, 422, "validation_failed", field="reason")
    after = srv.get("/v1/admin/audit?limit=500", token=srv.token("auditor1")).json()
    assert after["next_after"] == before["next_after"], "a refused reveal wrote an audit record"


def test_reveal_is_limited_to_the_categories_of_the_role(staff_server):
    srv = staff_server
    _, user, phone = user_with_nickname(srv, NICK)
    url = f"/v1/admin/users/{user['id']}/reveal"
    body = {"categories": ["phone"], "reason": "binding review"}
    assert_error(srv.post(url, token=srv.token("reviewer1"), json=body), 403, "forbidden")
    r = srv.post(url, token=srv.token("reviewer1"),
                 json={"categories": ["nickname"], "reason": "binding review"})
    assert r.status_code == 200 and r.json() == {"id": user["id"], "nickname": NICK}
    assert_error(srv.post(url, token=srv.token("auditor1"), json=body), 403, "forbidden")
    r = srv.post(url, token=srv.token("support1"), json={"categories": ["id_number"],
                                                          "reason": "customer called"})
    assert_error(r, 422, "validation_failed", field="categories")


def test_reveal_writes_an_audit_record_the_user_sees_in_their_access_log(staff_server):
    srv = staff_server
    token, user, phone = user_with_nickname(srv, NICK)
    reason = "customer called about a refund"
    r = srv.post(f"/v1/admin/users/{user['id']}/reveal", token=srv.token("support1"),
                 json={"categories": ["phone", "nickname"], "reason": reason})
    assert r.status_code == 200, r.text
    assert r.json() == {"id": user["id"], "phone": phone_digits(phone), "nickname": NICK}
    log = srv.get("/v1/me/access-log", token=token)
    assert log.status_code == 200
    items = log.json()["items"]
    assert [(i["staff"], i["role"], i["action"], i["categories"], i["reason"]) for i in items] == [
        ("support1", "support", "personal_data.read", ["phone", "nickname"], reason)]
    assert isinstance(items[0]["at"], int)
    # the auditor sees the same record, without the data itself
    audit = srv.get(f"/v1/admin/audit?subject_id={user['id']}", token=srv.token("auditor1"))
    recs = [i for i in audit.json()["items"] if i["action"] == "personal_data.read"]
    assert len(recs) == 1 and recs[0]["actor"] == "staff:support1"
    assert recs[0]["subject_id"] == user["id"] and recs[0]["categories"] == "phone nickname"
    assert phone_digits(phone) not in audit.text and NICK not in audit.text
    # and the trail holds no clear data either
    assert phone_digits(phone).encode() not in db_file_bytes(srv)


def test_a_masked_view_is_not_a_reveal(staff_server):
    srv = staff_server
    token, user, _ = user_with_nickname(srv, NICK)
    assert srv.get(f"/v1/admin/users/{user['id']}", token=srv.token("admin1")).status_code == 200
    assert srv.get("/v1/me/access-log", token=token).json()["items"] == []


def test_bulk_export_needs_a_second_admin_and_self_approval_is_forbidden(staff_server):
    srv = staff_server
    users = [user_with_nickname(srv, NICK) for _ in range(2)]
    ids = [u[1]["id"] for u in users]
    reason = "regulator request 2026-17"
    r = srv.post("/v1/admin/exports", token=srv.token("admin1"),
                 json={"user_ids": ids, "reason": reason})
    assert r.status_code == 202, r.text
    exp = r.json()
    assert exp["status"] == "pending" and exp["user_ids"] == ids
    url = f"/v1/admin/exports/{exp['id']}"
    assert_error(srv.get(url, token=srv.token("admin1")), 409, "conflict")
    assert_error(srv.post(url + "/approve", token=srv.token("admin1")), 403, "forbidden")
    assert_error(srv.post(url + "/approve", token=srv.token("support1")), 403, "forbidden")
    assert_error(srv.get(url, token=srv.token("admin1")), 409, "conflict")
    for tok, _, _ in users:  # nothing read yet
        assert srv.get("/v1/me/access-log", token=tok).json()["items"] == []
    r = srv.post(url + "/approve", token=srv.token("admin2"))
    assert r.status_code == 200 and r.json()["status"] == "approved"
    assert_error(srv.post(url + "/approve", token=srv.token("admin2")), 409, "conflict")
    # only the requester reads it
    assert_error(srv.get(url, token=srv.token("admin2")), 403, "forbidden")
    assert_error(srv.get(url, token=srv.token("support1")), 403, "forbidden")
    r = srv.get(url, token=srv.token("admin1"))
    assert r.status_code == 200, r.text
    got = {u["id"]: u for u in r.json()["users"]}
    for tok, user, phone in users:
        assert got[user["id"]]["phone"] == phone_digits(phone)
        assert got[user["id"]]["nickname"] == NICK
        log = srv.get("/v1/me/access-log", token=tok).json()["items"]
        assert [(i["staff"], i["categories"], i["reason"]) for i in log] == [
            ("admin1", ["phone", "nickname"], reason)]
    # an approval is good for one read: a second needs a new approval
    assert_error(srv.get(url, token=srv.token("admin1")), 409, "conflict")
    for tok, _, _ in users:
        assert len(srv.get("/v1/me/access-log", token=tok).json()["items"]) == 1


def test_support_may_request_an_export_that_an_admin_approves(staff_server):
    srv = staff_server
    _, user, phone = user_with_nickname(srv, NICK)
    r = srv.post("/v1/admin/exports", token=srv.token("support1"),
                 json={"user_ids": [user["id"]], "reason": "account recovery"})
    assert r.status_code == 202
    url = f"/v1/admin/exports/{r.json()['id']}"
    assert srv.post(url + "/approve", token=srv.token("admin1")).status_code == 200
    r = srv.get(url, token=srv.token("support1"))
    assert r.status_code == 200 and r.json()["users"][0]["phone"] == phone_digits(phone)


def test_export_approvals_are_kept_3_years_like_the_audit_trail(tmp_path):
    from staffkit import _finish, start_staff_server, wlk
    srv = start_staff_server(tmp_path / "approvals")
    try:
        _, user, _ = user_with_nickname(srv, NICK)
        r = srv.post("/v1/admin/exports", token=srv.token("admin1"),
                     json={"user_ids": [user["id"]], "reason": "regulator request 2026-18"})
        assert r.status_code == 202, r.text

        def approvals():
            db = engine.connect(srv.data_dir)
            try:
                return db.execute("SELECT COUNT(*) FROM approvals").fetchone()[0]
            finally:
                db.close()
        assert approvals() == 1
        assert wlk(srv.data_dir, "purge", "--now", "+1094d", shared=True).returncode == 0
        assert approvals() == 1
        assert wlk(srv.data_dir, "purge", "--now", "+1096d", shared=True).returncode == 0
        assert approvals() == 0
    finally:
        _finish([srv])
