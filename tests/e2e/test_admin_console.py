"""The staff API the console uses (issue 10): who is signed in, staff
accounts made and disabled by an admin (audited), the audit trail's
verification, the list of bulk exports, incident notices, and finding an
account by phone with a reason that the person then sees."""
from conftest import assert_error, masked, sync_all
from staffkit import PASSWORD, staff_login, staff_server, staff_token  # noqa: F401


def test_the_console_learns_who_is_signed_in(staff_server):
    for name, role, reveal in (("admin1", "admin", ["phone", "nickname"]),
                               ("reviewer1", "reviewer", ["nickname"]),
                               ("auditor1", "auditor", [])):
        r = staff_server.get("/v1/admin/me", token=staff_server.token(name))
        assert r.status_code == 200
        assert r.json() == {"name": name, "role": role, "may_reveal": reveal}


def test_an_admin_adds_and_disables_staff_and_both_are_audited(staff_server):
    srv = staff_server
    admin = srv.token("admin1")
    r = srv.post("/v1/admin/staff", token=admin,
                 json={"name": "newhire", "role": "support", "password": PASSWORD})
    assert r.status_code == 201, r.text
    assert r.json()["name"] == "newhire" and r.json()["role"] == "support"
    assert_error(srv.post("/v1/admin/staff", token=admin,
                          json={"name": "newhire", "role": "support", "password": PASSWORD}),
                 409, "conflict")
    assert_error(srv.post("/v1/admin/staff", token=admin,
                          json={"name": "short", "role": "support", "password": "too short"}),
                 422, "validation_failed", field="password")
    token = staff_token(srv, "newhire")
    assert srv.get("/v1/admin/requests", token=token).status_code == 200
    assert srv.post("/v1/admin/staff/newhire/disable", token=admin).status_code == 204
    assert_error(srv.get("/v1/admin/requests", token=token), 401, "unauthorized")
    assert_error(staff_login(srv, "newhire"), 401, "unauthorized")
    assert_error(srv.post("/v1/admin/staff/newhire/disable", token=admin), 404, "not_found")
    assert_error(srv.post("/v1/admin/staff/admin1/disable", token=admin), 409, "conflict")
    audit = srv.get("/v1/admin/audit?limit=500", token=srv.token("auditor1")).json()["items"]
    mine = [(a["actor"], a["action"], a["detail"].get("name")) for a in audit
            if a["action"] in ("staff.add", "staff.disable") and a["actor"] == "staff:admin1"]
    assert mine == [("staff:admin1", "staff.add", "newhire"),
                    ("staff:admin1", "staff.disable", "newhire")]
    assert PASSWORD not in str(audit)


def test_the_audit_trail_verification_is_served_to_the_auditor(staff_server):
    r = staff_server.get("/v1/admin/audit/verify", token=staff_server.token("auditor1"))
    assert r.status_code == 200, r.text
    j = r.json()
    assert j["intact"] is True and j["broken_at"] is None and j["checked"] >= 1
    assert len(j["head"]) == 64


def test_the_bulk_exports_are_listed_with_their_state(staff_server):
    srv = staff_server
    _, j, _ = srv.new_user()
    user = j["user"]
    r = srv.post("/v1/admin/exports", token=srv.token("admin1"),
                 json={"user_ids": [user["id"]], "reason": "regulator asked for it"})
    assert r.status_code == 202
    eid = r.json()["id"]
    items = {i["id"]: i for i in srv.get("/v1/admin/exports", token=srv.token("support1"))
             .json()["items"]}
    assert items[eid]["status"] == "pending" and items[eid]["requested_by"] == "admin1"
    assert items[eid]["user_ids"] == [user["id"]] and items[eid]["approved_by"] is None
    assert srv.post(f"/v1/admin/exports/{eid}/approve", token=srv.token("admin2")).status_code == 200
    items = {i["id"]: i for i in srv.get("/v1/admin/exports", token=srv.token("admin1"))
             .json()["items"]}
    assert items[eid]["status"] == "approved" and items[eid]["approved_by"] == "admin2"
    assert srv.get(f"/v1/admin/exports/{eid}", token=srv.token("admin1")).status_code == 200
    items = {i["id"]: i for i in srv.get("/v1/admin/exports", token=srv.token("admin1"))
             .json()["items"]}
    assert items[eid]["status"] == "read"


def test_an_admin_publishes_an_incident_notice_to_named_users(staff_server):
    srv = staff_server
    token, j, _ = srv.new_user()
    user = j["user"]
    body = {"categories": ["phone"], "cause": "测试原因", "harm": "影响", "remedies": "措施",
            "actions": "建议", "contact": "400-620-6688", "users": [user["id"]]}
    r = srv.post("/v1/admin/incidents", token=srv.token("admin1"), json=body)
    assert r.status_code == 201 and r.json()["notified"] == 1, r.text
    events, _ = sync_all(srv, token)
    notes = [e for e in events if e["type"] == "incident.notice"]
    assert len(notes) == 1 and notes[0]["data"]["cause"] == "测试原因"
    assert_error(srv.post("/v1/admin/incidents", token=srv.token("admin1"),
                          json={**body, "categories": ["nope"]}), 422, "validation_failed")
    assert_error(srv.post("/v1/admin/incidents", token=srv.token("admin1"),
                          json={**body, "cause": ""}), 422, "validation_failed", field="cause")
    assert_error(srv.post("/v1/admin/incidents", token=srv.token("admin1"),
                          json={**body, "users": "some"}), 422, "validation_failed", field="users")


def test_finding_an_account_by_phone_needs_a_reason_and_shows_in_its_access_log(staff_server):
    srv = staff_server
    token, j, phone = srv.new_user()
    user = j["user"]
    support = srv.token("support1")
    assert_error(srv.post("/v1/admin/users/lookup", token=support, json={"phone": phone}),
                 422, "validation_failed", field="reason")
    assert_error(srv.post("/v1/admin/users/lookup", token=support,
                          json={"phone": "12345", "reason": "caller asked"}),
                 422, "validation_failed", field="phone")
    r = srv.post("/v1/admin/users/lookup", token=support,
                 json={"phone": phone, "reason": "caller asked about the account"})
    assert r.status_code == 200, r.text
    j = r.json()
    assert j["id"] == user["id"] and j["phone"] == masked(phone) and j["masked"] is True
    log = srv.get("/v1/me/access-log", token=token).json()["items"]
    assert [(i["staff"], i["action"], i["categories"], i["reason"]) for i in log] == [
        ("support1", "personal_data.lookup", ["phone"], "caller asked about the account")]
    assert_error(srv.post("/v1/admin/users/lookup", token=support,
                          json={"phone": "13900000001", "reason": "caller asked"}),
                 404, "not_found")
