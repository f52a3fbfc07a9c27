"""楼盘点评 and moderation (issue 14, 三.二.2): one review per account per
development with five scores and a computed overall one, a
development's own consultants refused and other consultants marked
professional, edits and deletion, banned words rejected with their span
(the list edited by admins, audited), staff takedowns the author sees,
the hourly limit, export and cancellation by the data map."""
import json

import pytest

from conftest import assert_error
from rights_helpers import cancel, export
from staffkit import _finish, _require_binary, start_staff_server
from test_binding import audit_all, consultant, development


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    _require_binary()
    s = start_staff_server(tmp_path_factory.mktemp("reviews"))
    yield s
    _finish([s])


def body(price=4, location=5, transport=3, amenities=4, environment=5, text="交通方便，环境安静。"):
    return {"scores": {"price": price, "location": location, "transport": transport,
                       "amenities": amenities, "environment": environment}, "text": text}


def review(srv, token, dev, **kw):
    return srv.post(f"/v1/developments/{dev['id']}/reviews", token=token, json=body(**kw))


def test_a_review_is_public_with_its_computed_scores_and_one_per_account(srv):
    dev = development(srv, "点评花园")
    a, _, _ = srv.new_user()
    b, _, _ = srv.new_user()
    r = review(srv, a, dev)
    assert r.status_code == 201, r.content[:300]
    mine = r.json()
    assert mine["overall"] == 4.2 and mine["scores"]["location"] == 5
    assert mine["status"] == "published" and mine["author"]["professional"] is False
    assert review(srv, b, dev, price=3, location=3, transport=3, amenities=3,
                  environment=2).status_code == 201
    # a second review by the same account is refused; editing is the way
    assert_error(review(srv, a, dev), 409, "conflict")
    listing = srv.get(f"/v1/developments/{dev['id']}/reviews").json()  # no account needed
    s = listing["summary"]
    assert s["count"] == 2
    assert s["scores"] == {"price": 3.5, "location": 4.0, "transport": 3.0, "amenities": 3.5,
                           "environment": 3.5}
    assert s["overall"] == 3.5  # (21 + 14) / 10
    assert [x["overall"] for x in listing["items"]] == [2.8, 4.2]  # newest first
    r = srv.request("PUT", f"/v1/developments/{dev['id']}/reviews/mine", token=a,
                    json=body(price=1, location=1, transport=1, amenities=1, environment=1))
    assert r.status_code == 200 and r.json()["overall"] == 1.0
    assert srv.get(f"/v1/developments/{dev['id']}/reviews").json()["summary"]["overall"] == 1.9
    assert srv.delete(f"/v1/developments/{dev['id']}/reviews/mine", token=a).status_code == 204
    assert srv.get(f"/v1/developments/{dev['id']}/reviews").json()["summary"]["count"] == 1
    assert_error(srv.delete(f"/v1/developments/{dev['id']}/reviews/mine", token=a), 404,
                 "not_found")
    assert_error(srv.request("PUT", f"/v1/developments/{dev['id']}/reviews/mine", token=a,
                             json=body()), 404, "not_found")


def test_a_developments_own_consultant_cannot_review_it_and_others_are_professional(srv):
    dev = development(srv, "自评花园")
    other = development(srv, "他评花园")
    token, _, _ = consultant(srv, dev, "自评顾问")
    assert_error(review(srv, token, dev), 403, "forbidden")
    assert srv.get(f"/v1/developments/{dev['id']}/reviews").json()["items"] == []
    r = review(srv, token, other)
    assert r.status_code == 201 and r.json()["author"]["professional"] is True


def test_pages_of_reviews_follow_the_cursor(srv):
    dev = development(srv, "翻页点评花园")
    for i in range(5):
        token, _, _ = srv.new_user()
        assert review(srv, token, dev, text=f"第{i}条点评").status_code == 201
    seen, cursor = [], None
    while True:
        q = f"?limit=2{'&cursor=' + cursor if cursor else ''}"
        j = srv.get(f"/v1/developments/{dev['id']}/reviews{q}").json()
        seen += [x["text"] for x in j["items"]]
        cursor = j["next_cursor"]
        if not cursor:
            break
    assert seen == [f"第{i}条点评" for i in reversed(range(5))]


@pytest.mark.parametrize("change, status, code, field", [
    ({"scores": {"price": 0, "location": 1, "transport": 1, "amenities": 1, "environment": 1}},
     422, "validation_failed", "scores.price"),
    ({"scores": {"price": 6, "location": 1, "transport": 1, "amenities": 1, "environment": 1}},
     422, "validation_failed", "scores.price"),
    ({"scores": {"price": 4.5, "location": 1, "transport": 1, "amenities": 1, "environment": 1}},
     422, "validation_failed", "scores.price"),
    ({"scores": {"price": "5", "location": 1, "transport": 1, "amenities": 1,
                 "environment": 1}}, 422, "validation_failed", "scores.price"),
    ({"scores": {"price": 5, "location": 1, "transport": 1, "amenities": 1}}, 422,
     "validation_failed", "scores.environment"),
    ({"scores": {"price": 5, "location": 1, "transport": 1, "amenities": 1, "environment": 1,
                 "view": 5}}, 422, "validation_failed", "scores.view"),
    ({"scores": None}, 422, "validation_failed", "scores"),
    ({"text": ""}, 422, "validation_failed", "text"),
    ({"text": "好" * 2001}, 422, "validation_failed", "text"),
    ({"text": 5}, 422, "validation_failed", "text"),
    ({"extra": 1}, 422, "validation_failed", "extra"),
])
def test_a_bad_review_is_refused_and_nothing_written(srv, change, status, code, field):
    dev = development(srv, "坏点评花园")
    token, _, _ = srv.new_user()
    b = {**body(), **change}
    b = {k: v for k, v in b.items() if v is not None}
    assert_error(srv.post(f"/v1/developments/{dev['id']}/reviews", token=token, json=b), status,
                 code, field)
    assert srv.get(f"/v1/developments/{dev['id']}/reviews").json()["summary"]["count"] == 0


def test_reviews_of_no_development_and_bad_ids_are_clear_errors(srv):
    token, _, _ = srv.new_user()
    assert_error(srv.post("/v1/developments/999999999999/reviews", token=token, json=body()),
                 404, "not_found")
    assert_error(srv.get("/v1/developments/999999999999/reviews"), 404, "not_found")
    assert_error(srv.get("/v1/developments/abc/reviews"), 404, "not_found")
    dev = development(srv, "游标花园")
    assert_error(srv.get(f"/v1/developments/{dev['id']}/reviews?cursor=zz"), 422,
                 "validation_failed", "cursor")
    assert_error(srv.post(f"/v1/developments/{dev['id']}/reviews", json=body()), 401,
                 "unauthorized")


def test_a_banned_word_is_rejected_with_its_span(srv):
    dev = development(srv, "违禁词花园")
    token, _, _ = srv.new_user()
    r = review(srv, token, dev, text="这是本区 最 佳 楼盘")
    e = assert_error(r, 422, "content_rejected", "text")
    assert e["word"] == "最佳" and e["span"] == {"start": 5, "end": 8}  # code points
    assert srv.get(f"/v1/developments/{dev['id']}/reviews").json()["summary"]["count"] == 0
    # an allowed phrase passes: 第一 in 第一期
    assert review(srv, token, dev, text="第一期交付质量不错").status_code == 201


def test_admins_edit_the_banned_words_audited_and_checks_follow_at_once(srv):
    admin = srv.token("admin1")
    words = srv.get("/v1/admin/moderation/words", token=admin).json()["items"]
    assert {"最佳", "第一", "唯一", "独家", "顶级", "国家级"} <= {w["word"] for w in words}
    dev = development(srv, "词表花园")
    token, _, _ = srv.new_user()
    new = [{"word": w["word"], "allow": w["allow"]} for w in words] + [{"word": "学区房"}]
    r = srv.request("PUT", "/v1/admin/moderation/words", token=admin, json={"items": new})
    assert r.status_code == 200, r.content[:300]
    e = assert_error(review(srv, token, dev, text="正宗学区房"), 422, "content_rejected", "text")
    assert e["span"] == {"start": 2, "end": 5}
    trail = [a for a in audit_all(srv) if a["action"] == "moderation.words"]
    assert trail[-1]["actor"] == "staff:admin1" and trail[-1]["detail"]["added"] == ["学区房"]
    # bad lists are refused whole
    for bad, field in (({"items": [{"word": "100%"}]}, "items"),
                       ({"items": [{"word": "好"}, {"word": "好"}]}, "items[1]"),
                       ({"items": [{"word": "好", "x": 1}]}, "items[0]"),
                       ({"items": "最佳"}, "items"),
                       ({"words": []}, "words")):
        assert_error(srv.request("PUT", "/v1/admin/moderation/words", token=admin, json=bad),
                     422, "validation_failed", field)
    assert_error(srv.request("PUT", "/v1/admin/moderation/words", token=srv.token("reviewer1"),
                             json={"items": new}), 403, "forbidden")
    r = srv.request("PUT", "/v1/admin/moderation/words", token=admin,
                    json={"items": [{"word": w["word"], "allow": w["allow"]} for w in words]})
    assert r.status_code == 200
    assert review(srv, token, dev, text="正宗学区房").status_code == 201


def test_a_takedown_is_audited_and_its_reason_shown_to_the_author(srv):
    dev = development(srv, "下架点评花园")
    token, _, _ = srv.new_user()
    uid = srv.get("/v1/me", token=token).json()["id"]
    rid = review(srv, token, dev).json()["id"]
    url = f"/v1/admin/reviews/{rid}/takedown"
    assert_error(srv.post(url, token=srv.token("support1"), json={"reason": "x"}), 403,
                 "forbidden")
    assert_error(srv.post(url, token=srv.token("reviewer1"), json={}), 422,
                 "validation_failed", "reason")
    assert srv.post(url, token=srv.token("reviewer1"),
                    json={"reason": "含有未经证实的宣传内容"}).status_code == 204
    assert srv.get(f"/v1/developments/{dev['id']}/reviews").json()["items"] == []
    (mine,) = srv.get("/v1/me/reviews", token=token).json()["items"]
    assert mine["status"] == "hidden" and mine["hidden_reason"] == "含有未经证实的宣传内容"
    # the moderation lists: gone from the published one, in the hidden one
    rev = srv.token("reviewer1")
    assert rid not in [x["id"] for x in srv.get("/v1/admin/reviews", token=rev).json()["items"]]
    hidden = srv.get("/v1/admin/reviews?status=hidden", token=rev).json()["items"]
    assert [x["development_name"] for x in hidden if x["id"] == rid] == ["下架点评花园"]
    assert_error(srv.get("/v1/admin/reviews?status=deleted", token=rev), 422,
                 "validation_failed", "status")
    assert_error(srv.post(url, token=srv.token("reviewer1"), json={"reason": "again"}), 409,
                 "conflict")
    assert_error(srv.post("/v1/admin/reviews/999999999999/takedown", token=srv.token("reviewer1"),
                          json={"reason": "x"}), 404, "not_found")
    (a,) = [a for a in audit_all(srv) if a["action"] == "review.takedown"
            and a.get("subject_id") == uid]
    assert a["actor"] == "staff:reviewer1" and a["reason"] == "含有未经证实的宣传内容"


def test_an_account_writes_at_most_ten_reviews_an_hour(srv):
    token, _, _ = srv.new_user()
    devs = [development(srv, f"限流花园{i}") for i in range(11)]
    for d in devs[:10]:
        assert review(srv, token, d).status_code == 201
    r = review(srv, token, devs[10])
    assert_error(r, 429, "rate_limited")
    assert int(r.headers["Retry-After"]) > 0


def test_reviews_are_in_the_export_and_go_with_the_account(srv):
    dev = development(srv, "注销点评花园")
    token, _, phone = srv.new_user()
    assert review(srv, token, dev, text="注销前的点评内容").status_code == 201
    text = json.dumps(export(srv, token, phone).json(), ensure_ascii=False)
    assert "注销前的点评内容" in text
    cancel(srv, token, phone)
    listing = srv.get(f"/v1/developments/{dev['id']}/reviews").json()
    assert listing["items"] == [] and listing["summary"]["count"] == 0
