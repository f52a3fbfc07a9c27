"""问答广场 (issue 14, 三.二.2): questions about a development or a city,
answers (consultants' marked professional), one accepted answer by the
asker, deletion by authors, moderation, the hourly limit, bad input, and
cancellation by the data map."""
import json

import pytest

from conftest import assert_error
from rights_helpers import cancel, export
from staffkit import _finish, _require_binary, start_staff_server
from test_binding import consultant, development


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    _require_binary()
    s = start_staff_server(tmp_path_factory.mktemp("qa"))
    yield s
    _finish([s])


def ask(srv, token, **body):
    return srv.post("/v1/questions", token=token, json=body)


def test_a_question_gets_answers_and_the_asker_accepts_one(srv):
    dev = development(srv, "问答花园")
    asker, _, _ = srv.new_user()
    r = ask(srv, asker, development_id=dev["id"], text="小区离地铁站多远？")
    assert r.status_code == 201, r.content[:300]
    qid = r.json()["id"]
    assert r.json()["answers"] == 0 and r.json()["accepted_answer_id"] is None
    c_token, _, _ = consultant(srv, dev, "问答顾问")
    buyer, _, _ = srv.new_user()
    a1 = srv.post(f"/v1/questions/{qid}/answers", token=buyer, json={"text": "走路十分钟"})
    a2 = srv.post(f"/v1/questions/{qid}/answers", token=c_token, json={"text": "约800米，步行10分钟"})
    assert a1.status_code == 201 and a2.status_code == 201
    assert a1.json()["author"]["professional"] is False and a2.json()["author"]["professional"]
    # only the asker accepts, once
    url = f"/v1/questions/{qid}/accept"
    assert_error(srv.post(url, token=buyer, json={"answer_id": a2.json()["id"]}), 403, "forbidden")
    assert srv.post(url, token=asker, json={"answer_id": a2.json()["id"]}).status_code == 204
    assert_error(srv.post(url, token=asker, json={"answer_id": a1.json()["id"]}), 409, "conflict")
    q = srv.get(f"/v1/questions/{qid}").json()  # no account needed
    assert q["accepted_answer_id"] == a2.json()["id"] and q["answers"] == 2
    assert [a["text"] for a in q["answer_items"]] == ["约800米，步行10分钟", "走路十分钟"]
    listing = srv.get(f"/v1/questions?development_id={dev['id']}").json()
    assert [x["id"] for x in listing["items"]] == [qid]
    # deleting the accepted answer unmarks it; deleting the question takes the rest
    assert srv.delete(f"/v1/answers/{a2.json()['id']}", token=c_token).status_code == 204
    assert srv.get(f"/v1/questions/{qid}").json()["accepted_answer_id"] is None
    assert_error(srv.delete(f"/v1/answers/{a1.json()['id']}", token=asker), 404, "not_found")
    assert_error(srv.delete(f"/v1/questions/{qid}", token=buyer), 404, "not_found")
    assert srv.delete(f"/v1/questions/{qid}", token=asker).status_code == 204
    assert_error(srv.get(f"/v1/questions/{qid}"), 404, "not_found")


def test_questions_about_a_city_are_listed_newest_first_by_pages(srv):
    token, _, _ = srv.new_user()
    for i in range(5):
        assert ask(srv, token, city="问答城", text=f"城市问题{i}").status_code == 201
    seen, cursor = [], None
    while True:
        j = srv.get("/v1/questions?city=%E9%97%AE%E7%AD%94%E5%9F%8E&limit=2" +
                    (f"&cursor={cursor}" if cursor else "")).json()
        seen += [x["text"] for x in j["items"]]
        cursor = j["next_cursor"]
        if not cursor:
            break
    assert seen == [f"城市问题{i}" for i in reversed(range(5))]


@pytest.mark.parametrize("body, field", [
    ({"text": "没有目标"}, "development_id"),
    ({"city": "上海", "development_id": "1", "text": "两个目标"}, "city"),
    ({"city": "上海", "text": ""}, "text"),
    ({"city": "上海", "text": "好" * 1001}, "text"),
    ({"city": "上海"}, "text"),
    ({"city": "上海", "text": "x", "extra": 1}, "extra"),
    ({"development_id": "abc", "text": "x"}, "development_id"),
])
def test_a_bad_question_is_refused(srv, body, field):
    token, _, _ = srv.new_user()
    assert_error(ask(srv, token, **body), 422, "validation_failed", field)


def test_bad_targets_ids_and_cursors_are_clear_errors(srv):
    token, _, _ = srv.new_user()
    assert_error(ask(srv, token, development_id="999999999999", text="有吗"), 404, "not_found",
                 "development_id")
    assert_error(srv.get("/v1/questions"), 422, "validation_failed", "development_id")
    assert_error(srv.get("/v1/questions?city=x&cursor=bad"), 422, "validation_failed", "cursor")
    assert_error(srv.get("/v1/questions/999999999999"), 404, "not_found")
    assert_error(srv.post("/v1/questions/999999999999/answers", token=token, json={"text": "x"}),
                 404, "not_found")
    qid = ask(srv, token, city="上海", text="问题").json()["id"]
    assert_error(srv.post(f"/v1/questions/{qid}/accept", token=token,
                          json={"answer_id": "999999999999"}), 404, "not_found", "answer_id")
    assert_error(srv.post(f"/v1/questions/{qid}/accept", token=token, json={}), 422,
                 "validation_failed", "answer_id")
    assert_error(srv.post("/v1/questions", json={"city": "上海", "text": "x"}), 401,
                 "unauthorized")


def test_a_banned_word_in_a_question_or_an_answer_is_rejected(srv):
    token, _, _ = srv.new_user()
    e = assert_error(ask(srv, token, city="上海", text="哪个是唯一的学区"), 422,
                     "content_rejected", "text")
    assert e["word"] == "唯一" and e["span"] == {"start": 3, "end": 5}
    qid = ask(srv, token, city="上海", text="哪个学区好").json()["id"]
    assert_error(srv.post(f"/v1/questions/{qid}/answers", token=token,
                          json={"text": "这个是顶级学区"}), 422, "content_rejected", "text")
    assert srv.get(f"/v1/questions/{qid}").json()["answer_items"] == []


def test_an_account_writes_at_most_twenty_questions_and_answers_an_hour(srv):
    token, _, _ = srv.new_user()
    qid = ask(srv, token, city="限流城", text="第0个问题").json()["id"]
    for i in range(19):
        assert srv.post(f"/v1/questions/{qid}/answers", token=token,
                        json={"text": f"回答{i}"}).status_code == 201
    r = ask(srv, token, city="限流城", text="再问一个")
    assert_error(r, 429, "rate_limited")
    assert int(r.headers["Retry-After"]) > 0


def test_questions_and_answers_are_exported_and_go_with_the_account(srv):
    asker, _, asker_phone = srv.new_user()
    other, _, other_phone = srv.new_user()
    qid = ask(srv, asker, city="注销城", text="注销前的问题").json()["id"]
    mine = ask(srv, other, city="注销城", text="另一个人的问题").json()["id"]
    assert srv.post(f"/v1/questions/{qid}/answers", token=other,
                    json={"text": "别人的回答"}).status_code == 201
    assert srv.post(f"/v1/questions/{mine}/answers", token=asker,
                    json={"text": "注销者的回答"}).status_code == 201
    text = json.dumps(export(srv, asker, asker_phone).json(), ensure_ascii=False)
    assert "注销前的问题" in text and "注销者的回答" in text and "别人的回答" not in text
    cancel(srv, asker, asker_phone)
    assert_error(srv.get(f"/v1/questions/{qid}"), 404, "not_found")
    q = srv.get(f"/v1/questions/{mine}").json()
    assert q["answer_items"] == [] and q["answers"] == 0
