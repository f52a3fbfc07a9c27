"""Reports of published content (issue 14, moderation): a user reports a
review, a question or an answer with a reason, once; staff dismiss it or
take the target down with a reason its author sees, audited, which
decides every open report of it; limits, bad input, the data map."""
import json

import pytest

from conftest import assert_error, db_file_bytes
from rights_helpers import cancel, export
from staffkit import _finish, _require_binary, start_staff_server
from test_binding import audit_all, development
from test_reviews import body


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    _require_binary()
    s = start_staff_server(tmp_path_factory.mktemp("reports"))
    yield s
    _finish([s])


def report(srv, token, target, tid, reason="广告"):
    return srv.post("/v1/reports", token=token,
                    json={"target": target, "target_id": tid, "reason": reason})


def queue(srv, status="open"):
    return srv.get(f"/v1/admin/reports?status={status}",
                   token=srv.token("reviewer1")).json()["items"]


def test_a_reported_answer_is_taken_down_and_its_author_sees_why(srv):
    asker, _, _ = srv.new_user()
    answerer, _, _ = srv.new_user()
    author_id = srv.get("/v1/me", token=answerer).json()["id"]
    qid = srv.post("/v1/questions", token=asker, json={"city": "举报城", "text": "哪里好"}).json()["id"]
    aid = srv.post(f"/v1/questions/{qid}/answers", token=answerer,
                   json={"text": "加我微信看房"}).json()["id"]
    a, _, _ = srv.new_user()
    b, _, _ = srv.new_user()
    r = report(srv, a, "answer", aid, "留联系方式拉客")
    assert r.status_code == 201 and r.json()["status"] == "open"
    assert_error(report(srv, a, "answer", aid), 409, "conflict")  # once per reporter
    assert report(srv, b, "answer", aid).status_code == 201
    mine = [x for x in queue(srv) if x["target_id"] == aid]
    assert len(mine) == 2 and mine[0]["text"] == "加我微信看房"
    assert mine[0]["reason"] == "留联系方式拉客"
    url = f"/v1/admin/reports/{mine[0]['id']}/decision"
    assert_error(srv.post(url, token=srv.token("reviewer1"), json={"decision": "takedown"}), 422,
                 "validation_failed", "reason")
    assert srv.post(url, token=srv.token("reviewer1"),
                    json={"decision": "takedown", "reason": "站外导流"}).status_code == 204
    # both reports decided, the answer gone from the question, its author told why
    assert [x for x in queue(srv) if x["target_id"] == aid] == []
    assert len([x for x in queue(srv, "taken_down") if x["target_id"] == aid]) == 2
    assert srv.get(f"/v1/questions/{qid}").json()["answer_items"] == []
    (ans,) = srv.get("/v1/me/questions", token=answerer).json()["answers"]
    assert ans["status"] == "hidden" and ans["hidden_reason"] == "站外导流"
    assert_error(srv.post(url, token=srv.token("reviewer1"), json={"decision": "dismiss"}), 409,
                 "conflict")
    assert_error(report(srv, a, "answer", aid), 404, "not_found")  # nothing published to report
    (t,) = [x for x in audit_all(srv) if x["action"] == "content.takedown"
            and x.get("subject_id") == author_id]
    assert t["actor"] == "staff:reviewer1" and t["reason"] == "站外导流"
    assert t["detail"]["target"] == "answer"


def test_a_dismissed_report_leaves_the_review_and_a_question_can_be_taken_down(srv):
    dev = development(srv, "举报点评花园")
    author, _, _ = srv.new_user()
    rid = srv.post(f"/v1/developments/{dev['id']}/reviews", token=author,
                   json=body(text="物业响应慢")).json()["id"]
    reporter, _, _ = srv.new_user()
    rep = report(srv, reporter, "review", rid, "不喜欢").json()["id"]
    assert srv.post(f"/v1/admin/reports/{rep}/decision", token=srv.token("reviewer1"),
                    json={"decision": "dismiss"}).status_code == 204
    assert [x["id"] for x in srv.get(f"/v1/developments/{dev['id']}/reviews").json()["items"]] \
        == [rid]
    assert [x["id"] for x in queue(srv, "dismissed")] == [rep]
    asker, _, _ = srv.new_user()
    qid = srv.post("/v1/questions", token=asker,
                   json={"development_id": dev["id"], "text": "有人要团购吗"}).json()["id"]
    rq = report(srv, reporter, "question", qid).json()["id"]
    assert srv.post(f"/v1/admin/reports/{rq}/decision", token=srv.token("reviewer1"),
                    json={"decision": "takedown", "reason": "与楼盘无关"}).status_code == 204
    assert_error(srv.get(f"/v1/questions/{qid}"), 404, "not_found")
    assert srv.get(f"/v1/questions?development_id={dev['id']}").json()["items"] == []
    (q,) = srv.get("/v1/me/questions", token=asker).json()["questions"]
    assert q["status"] == "hidden" and q["hidden_reason"] == "与楼盘无关"


@pytest.mark.parametrize("payload, status, code, field", [
    ({"target": "post", "target_id": "1", "reason": "x"}, 422, "validation_failed", "target"),
    ({"target": "review", "target_id": "abc", "reason": "x"}, 422, "validation_failed",
     "target_id"),
    ({"target": "review", "target_id": "1", "reason": ""}, 422, "validation_failed", "reason"),
    ({"target": "review", "target_id": "1", "reason": "好" * 501}, 422, "validation_failed",
     "reason"),
    ({"target": "review", "target_id": "1"}, 422, "validation_failed", "reason"),
    ({"target": "review", "target_id": "1", "reason": "x", "more": 1}, 422, "validation_failed",
     "more"),
    ({"target": "review", "target_id": "999999999999", "reason": "x"}, 404, "not_found", None),
])
def test_a_bad_report_is_refused(srv, payload, status, code, field):
    token, _, _ = srv.new_user()
    assert_error(srv.post("/v1/reports", token=token, json=payload), status, code, field)


def test_staff_bad_input_on_reports(srv):
    rev = srv.token("reviewer1")
    assert_error(srv.get("/v1/admin/reports?status=closed", token=rev), 422, "validation_failed",
                 "status")
    assert_error(srv.post("/v1/admin/reports/999999999999/decision", token=rev,
                          json={"decision": "dismiss"}), 404, "not_found")
    assert_error(srv.post("/v1/admin/reports/1/decision", token=rev, json={"decision": "ban"}),
                 422, "validation_failed", "decision")
    assert_error(srv.post("/v1/reports", json={"target": "review", "target_id": "1",
                                               "reason": "x"}), 401, "unauthorized")


def test_an_account_files_at_most_twenty_reports_an_hour(srv):
    author, _, _ = srv.new_user()
    qids = [srv.post("/v1/questions", token=author,
                     json={"city": "限报城", "text": f"问题{i}"}).json()["id"] for i in range(20)]
    author2, _, _ = srv.new_user()
    extra = srv.post("/v1/questions", token=author2, json={"city": "限报城", "text": "再一个"})
    token, _, _ = srv.new_user()
    for q in qids:
        assert report(srv, token, "question", q).status_code == 201
    r = report(srv, token, "question", extra.json()["id"])
    assert_error(r, 429, "rate_limited")
    assert int(r.headers["Retry-After"]) > 0


def test_reports_are_exported_and_go_with_the_reporter(srv):
    author, _, _ = srv.new_user()
    qid = srv.post("/v1/questions", token=author, json={"city": "导出城", "text": "问"}).json()["id"]
    token, _, phone = srv.new_user()
    rep = report(srv, token, "question", qid, "这是我的举报理由").json()["id"]
    assert "这是我的举报理由" in json.dumps(export(srv, token, phone).json(), ensure_ascii=False)
    cancel(srv, token, phone)
    assert rep not in [x["id"] for x in queue(srv)]


def test_a_report_reason_is_sealed_under_the_reporters_key(srv):
    author, _, _ = srv.new_user()
    qid = srv.post("/v1/questions", token=author, json={"city": "封存城", "text": "问"}).json()["id"]
    token, _, _ = srv.new_user()
    reason = "举报理由里有人名张三丰和电话"
    assert report(srv, token, "question", qid, reason).status_code == 201
    assert [x["reason"] for x in queue(srv) if x["target_id"] == qid] == [reason]
    assert reason.encode() not in db_file_bytes(srv)
