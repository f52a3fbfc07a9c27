"""Bad input to every staff and request route: a clear 4xx naming the
field (wrong types, unknown fields, bad lengths, bad ids, bad query
parameters), nothing written, and the server keeps answering."""
import pytest

from conftest import assert_error, healthy
from staffkit import staff_server, user_with_nickname  # noqa: F401

TOO_LONG = "x" * 2001


@pytest.fixture(scope="module")
def ctx(staff_server):
    srv = staff_server
    token, user, _ = user_with_nickname(srv, "赵六")
    t = srv.post("/v1/me/requests", token=token, json={"type": "other", "text": "hi"}).json()
    return {"user": user["id"], "request": t["id"], "customer": token}


# (who, method, path, body or query, status, field); "{user}" and
# "{request}" are a real user and an open request
CASES = [
    (None, "POST", "/v1/admin/login", {"name": 1, "password": "p"}, 422, "name"),
    (None, "POST", "/v1/admin/login", {"name": "a"}, 422, "password"),
    (None, "POST", "/v1/admin/login", {"name": "a", "password": "p", "otp": 1}, 422, "otp"),
    (None, "POST", "/v1/admin/login", {"name": "", "password": "p"}, 422, "name"),
    (None, "POST", "/v1/admin/login", {"name": None, "password": "p"}, 422, "name"),
    ("auditor1", "GET", "/v1/admin/audit?limit=0", None, 422, "limit"),
    ("auditor1", "GET", "/v1/admin/audit?limit=abc", None, 422, "limit"),
    ("auditor1", "GET", "/v1/admin/audit?after=-1", None, 422, "after"),
    ("auditor1", "GET", "/v1/admin/audit?subject_id=x", None, 422, "subject_id"),
    ("support1", "GET", "/v1/admin/users/abc", None, 404, None),
    ("support1", "GET", "/v1/admin/users/99999999999999999999", None, 404, None),
    ("support1", "GET", "/v1/admin/users/-5", None, 404, None),
    ("support1", "POST", "/v1/admin/users/abc/reveal",
     {"categories": ["phone"], "reason": "customer called"}, 404, None),
    ("support1", "POST", "/v1/admin/users/{user}/reveal",
     {"categories": "phone", "reason": "customer called"}, 422, "categories"),
    ("support1", "POST", "/v1/admin/users/{user}/reveal",
     {"categories": [], "reason": "customer called"}, 422, "categories"),
    ("support1", "POST", "/v1/admin/users/{user}/reveal",
     {"categories": [1], "reason": "customer called"}, 422, "categories"),
    ("support1", "POST", "/v1/admin/users/{user}/reveal",
     {"categories": ["phone", "phone"], "reason": "customer called"}, 422, "categories"),
    ("support1", "POST", "/v1/admin/users/{user}/reveal",
     {"categories": ["phone"] * 9, "reason": "customer called"}, 422, "categories"),
    ("support1", "POST", "/v1/admin/users/{user}/reveal",
     {"categories": ["phone"], "reason": 12345}, 422, "reason"),
    ("support1", "POST", "/v1/admin/users/{user}/reveal",
     {"categories": ["phone"], "reason": "x" * 501}, 422, "reason"),
    ("support1", "POST", "/v1/admin/users/{user}/reveal",
     {"categories": ["phone"], "reason": "customer called", "all": True}, 422, "all"),
    ("admin1", "POST", "/v1/admin/exports", {"user_ids": "{user}", "reason": "audit please"},
     422, "user_ids"),
    ("admin1", "POST", "/v1/admin/exports", {"user_ids": [], "reason": "audit please"},
     422, "user_ids"),
    ("admin1", "POST", "/v1/admin/exports", {"user_ids": ["abc"], "reason": "audit please"},
     422, "user_ids"),
    ("admin1", "POST", "/v1/admin/exports", {"user_ids": [5], "reason": "audit please"},
     422, "user_ids"),
    ("admin1", "POST", "/v1/admin/exports",
     {"user_ids": ["{user}", "{user}"], "reason": "audit please"}, 422, "user_ids"),
    ("admin1", "POST", "/v1/admin/exports",
     {"user_ids": ["{user}"] * 101, "reason": "audit please"}, 422, "user_ids"),
    ("admin1", "POST", "/v1/admin/exports", {"user_ids": ["{user}"]}, 422, "reason"),
    ("admin1", "POST", "/v1/admin/exports", {"user_ids": ["{user}"], "reason": "no"},
     422, "reason"),
    ("admin1", "POST", "/v1/admin/exports",
     {"user_ids": ["{user}"], "reason": "audit please", "format": "csv"}, 422, "format"),
    ("admin1", "GET", "/v1/admin/exports/abc", None, 404, None),
    ("admin1", "GET", "/v1/admin/exports/{user}", None, 404, None),
    ("admin2", "POST", "/v1/admin/exports/abc/approve", None, 404, None),
    ("support1", "GET", "/v1/admin/requests?limit=9999", None, 422, "limit"),
    ("support1", "GET", "/v1/admin/requests/abc", None, 404, None),
    ("support1", "GET", "/v1/admin/requests/{user}", None, 404, None),
    ("support1", "POST", "/v1/admin/requests/{request}/answer",
     {"status": "maybe", "answer": "x"}, 422, "status"),
    ("support1", "POST", "/v1/admin/requests/{request}/answer", {"status": "done"},
     422, "answer"),
    ("support1", "POST", "/v1/admin/requests/{request}/answer",
     {"status": "done", "answer": 5}, 422, "answer"),
    ("support1", "POST", "/v1/admin/requests/{request}/answer",
     {"status": "done", "answer": TOO_LONG}, 422, "answer"),
    ("support1", "POST", "/v1/admin/requests/{request}/answer",
     {"status": "done", "answer": "ok", "cc": "boss"}, 422, "cc"),
    ("support1", "POST", "/v1/admin/requests/{request}/answer",
     {"status": 1, "answer": "ok"}, 422, "status"),
    ("support1", "POST", "/v1/admin/requests/abc/answer", {"status": "done", "answer": "ok"},
     404, None),
    ("customer", "POST", "/v1/me/requests", {"type": "bogus", "text": "hi"}, 422, "type"),
    ("customer", "POST", "/v1/me/requests", {"type": 1, "text": "hi"}, 422, "type"),
    ("customer", "POST", "/v1/me/requests", {"type": "other", "text": ""}, 422, "text"),
    ("customer", "POST", "/v1/me/requests", {"type": "other", "text": TOO_LONG}, 422, "text"),
    ("customer", "POST", "/v1/me/requests", {"type": "other"}, 422, "text"),
    ("customer", "POST", "/v1/me/requests", {"type": "other", "text": "hi", "urgent": 1},
     422, "urgent"),
    ("customer", "GET", "/v1/me/requests?limit=0", None, 422, "limit"),
    ("customer", "GET", "/v1/me/access-log?limit=0", None, 422, "limit"),
    ("customer", "GET", "/v1/me/access-log?after=x", None, 422, "after"),
]


def _fill(v, ctx):
    if isinstance(v, str):
        return v.replace("{user}", ctx["user"]).replace("{request}", ctx["request"])
    if isinstance(v, list):
        return [_fill(x, ctx) for x in v]
    if isinstance(v, dict):
        return {k: _fill(x, ctx) for k, x in v.items()}
    return v


@pytest.mark.parametrize("who,method,path,body,status,field", CASES,
                         ids=[f"{c[1]} {c[2]} {c[5]}" for c in CASES])
def test_bad_input_is_a_clear_4xx(staff_server, ctx, who, method, path, body, status, field):
    srv = staff_server
    token = ctx["customer"] if who == "customer" else srv.token(who) if who else None
    kw = {"json": _fill(body, ctx)} if body is not None else {}
    r = srv.request(method, _fill(path, ctx), token=token, **kw)
    assert_error(r, status, "validation_failed" if status == 422 else "not_found", field=field)


def test_bad_input_writes_nothing(staff_server, ctx):
    srv = staff_server
    # the request answered with bad bodies is still open, unanswered
    mine = srv.get("/v1/me/requests", token=ctx["customer"]).json()["items"]
    assert [(m["status"], m["answer"]) for m in mine] == [("open", None)]
    # the user's data was never revealed
    assert srv.get("/v1/me/access-log", token=ctx["customer"]).json()["items"] == []
    healthy(srv)


def test_non_object_and_broken_bodies_are_invalid_json(staff_server, ctx):
    srv = staff_server
    for data in (b"[]", b"{", b'"x"'):
        r = srv.post("/v1/admin/login", data=data, headers={"Content-Type": "application/json"})
        assert_error(r, 400, "invalid_json")
        r = srv.post(f"/v1/admin/users/{ctx['user']}/reveal", data=data,
                     token=srv.token("support1"), headers={"Content-Type": "application/json"})
        assert_error(r, 400, "invalid_json")
    healthy(srv)
