"""Requests and complaints (七.五, 十, 十一): answered within 15 days, the
text sealed at rest, a refusal always with its reason and the regulator's
channel, every staff read and answer audited, late requests listed by
`wlk requests overdue`."""
import re
import uuid

from conftest import assert_error, db_file_bytes, sync_all
from staffkit import staff_server  # noqa: F401

DAY_MS = 86400000
COMPLAIN_URL = "https://www.12377.cn"
COMPLAIN_NAME = "中央网信办违法和不良信息举报中心"


def _open(srv, token, type_="correction", text=None):
    text = text or "please correct my nickname " + uuid.uuid4().hex
    r = srv.post("/v1/me/requests", token=token, json={"type": type_, "text": text})
    assert r.status_code == 201, r.text
    return r.json(), text


def test_a_request_is_due_15_days_after_it_is_made(staff_server):
    srv = staff_server
    token, _, _ = srv.new_user()
    t, text = _open(srv, token, "access")
    assert t["status"] == "open" and t["type"] == "access" and t["text"] == text
    assert t["due_at"] == t["created_at"] + 15 * DAY_MS
    mine = srv.get("/v1/me/requests", token=token).json()["items"]
    assert [(m["id"], m["status"], m["due_at"], m["answer"]) for m in mine] == [
        (t["id"], "open", t["due_at"], None)]


def test_request_text_is_sealed_at_rest(staff_server):
    srv = staff_server
    token, _, _ = srv.new_user()
    _, text = _open(srv, token, "complaint")
    assert text.encode() not in db_file_bytes(srv)


def test_staff_queue_lists_open_requests_by_deadline_without_their_text(staff_server):
    srv = staff_server
    token, me, _ = srv.new_user()
    first, text = _open(srv, token)
    second, _ = _open(srv, token)
    r = srv.get("/v1/admin/requests", token=srv.token("support1"))
    assert r.status_code == 200
    items = r.json()["items"]
    ids = [i["id"] for i in items]
    assert ids.index(first["id"]) < ids.index(second["id"])
    assert [i["due_at"] for i in items] == sorted(i["due_at"] for i in items)
    got = items[ids.index(first["id"])]
    assert got["user_id"] == me["user"]["id"] and got["overdue"] is False
    assert got["days_late"] == 0 and "text" not in got and text not in r.text


def test_staff_reading_a_request_is_audited_and_shown_to_the_user(staff_server):
    srv = staff_server
    token, _, _ = srv.new_user()
    t, text = _open(srv, token)
    r = srv.get(f"/v1/admin/requests/{t['id']}", token=srv.token("support1"))
    assert r.status_code == 200 and r.json()["text"] == text
    log = srv.get("/v1/me/access-log", token=token).json()["items"]
    assert [(i["staff"], i["action"], i["categories"]) for i in log] == [
        ("support1", "request.read", ["support_records"])]


def test_a_refusal_needs_a_reason(staff_server):
    srv = staff_server
    token, _, _ = srv.new_user()
    t, _ = _open(srv, token, "deletion")
    url = f"/v1/admin/requests/{t['id']}/answer"
    for body in ({"status": "refused", "answer": "no"},
                 {"status": "refused", "answer": "no", "reason": ""},
                 {"status": "refused", "answer": "no", "reason": "law"}):
        assert_error(srv.post(url, token=srv.token("support1"), json=body), 422,
                     "validation_failed", field="reason")
    assert srv.get("/v1/me/requests", token=token).json()["items"][0]["status"] == "open"


def test_a_refusal_carries_its_reason_and_where_to_complain(staff_server):
    srv = staff_server
    token, _, _ = srv.new_user()
    t, _ = _open(srv, token, "deletion")
    reason = "records of consent are kept 3 years by law"
    r = srv.post(f"/v1/admin/requests/{t['id']}/answer", token=srv.token("support1"),
                 json={"status": "refused", "answer": "we must keep these", "reason": reason})
    assert r.status_code == 200, r.text
    mine = srv.get("/v1/me/requests", token=token).json()["items"][0]
    assert mine["status"] == "refused" and mine["reason"] == reason and mine["type"] == "deletion"
    assert mine["answer"] == "we must keep these" and isinstance(mine["answered_at"], int)
    assert mine["complain_to"] == {"name": COMPLAIN_NAME, "url": COMPLAIN_URL}
    # the channel is the one the published policy names
    policy = srv.get("/v1/privacy/policy").text
    assert COMPLAIN_URL in policy and COMPLAIN_NAME in policy
    # the answer is audited (its reason stays sealed in the ticket: the
    # audit trail outlives the account) and the user is told
    log = srv.get("/v1/me/access-log", token=token).json()["items"]
    assert [(i["staff"], i["action"], i["reason"]) for i in log] == [
        ("support1", "request.answer", None)]
    events, _ = sync_all(srv, token)
    assert [e["data"] for e in events if e["type"] == "request.answered"] == [
        {"request_id": t["id"], "status": "refused"}]
    # answered once
    r = srv.post(f"/v1/admin/requests/{t['id']}/answer", token=srv.token("admin1"),
                 json={"status": "done", "answer": "changed our mind"})
    assert_error(r, 409, "conflict")


def test_a_done_request_has_no_complaint_channel_and_leaves_the_queue(staff_server):
    srv = staff_server
    token, _, _ = srv.new_user()
    t, _ = _open(srv, token, "correction")
    r = srv.post(f"/v1/admin/requests/{t['id']}/answer", token=srv.token("admin1"),
                 json={"status": "done", "answer": "corrected"})
    assert r.status_code == 200 and r.json()["status"] == "done"
    assert "complain_to" not in r.json()
    queue = srv.get("/v1/admin/requests", token=srv.token("support1")).json()["items"]
    assert t["id"] not in [i["id"] for i in queue]


def test_overdue_requests_are_listed_by_the_operator_command(staff_server):
    srv = staff_server
    token, _, _ = srv.new_user()
    t, text = _open(srv, token, "complaint")
    late = srv.wlk("requests", "overdue", "--now", "+16d")
    assert late.returncode == 0, late.stderr
    line = [ln for ln in late.stdout.splitlines() if ln.startswith(t["id"])]
    assert len(line) == 1, late.stdout
    assert re.search(r"\bcomplaint\b.*\b1 days late\b", line[0]), line[0]
    assert text not in late.stdout
    early = srv.wlk("requests", "overdue", "--now", "+1d")
    assert early.returncode == 0, early.stderr
    assert t["id"] not in early.stdout
    bad = srv.wlk("requests", "overdue", "--now", "tomorrow")
    assert bad.returncode == 2
