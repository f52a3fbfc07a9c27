"""绑定楼盘 and 客户归属 (issue 13, F3, R25): verified accounts only on
every consultant route, the application and its review (photos only
through an audited clear read, erased once decided), the consultant list
with verified names, limits, unbinding, first-touch attribution with
masked phones, chats that open with the development card, the pool and
its manager, and cancellation on both sides."""
import base64
import re
import time

import pytest

from conftest import REPO, assert_error, grant_consent, history, new_phone, phone_digits, png_bytes
from rights_helpers import cancel
from staffkit import _finish, _require_binary, start_staff_server
from test_identity import face_body, id_number

ROUTES = re.findall(r'\{"(GET|POST|PUT|PATCH|DELETE)",\s*"([^"]+)",\s*\w+,\s*AUTH_VERIFIED',
                    (REPO / "src" / "api" / "routes.c").read_text())


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    _require_binary()
    s = start_staff_server(tmp_path_factory.mktemp("binding"))
    yield s
    _finish([s])


def development(srv, name="测试绑定花园", **extra):
    r = srv.post("/v1/admin/developments", token=srv.token("admin1"),
                 json={"name": name, "city": "上海", "district": "浦东", "sale_status": "on_sale",
                       "price_avg": 52000, "address": "浦东新区测试路1号", **extra})
    assert r.status_code == 201, r.content[:300]
    return r.json()


_seq = iter(range(100, 999))


def verified_user(srv, name="周顾问"):
    token, _, phone = srv.new_user()
    grant_consent(srv, token, "identity_verification")
    r = srv.post("/v1/me/identity", token=token,
                 json=face_body(name, id_number("19850101", seq=str(next(_seq)))))
    assert r.status_code == 202, r.content[:300]
    deadline = time.monotonic() + 10
    while srv.get("/v1/me/identity", token=token).json()["status"] != "verified":
        assert time.monotonic() < deadline, "not verified"
        time.sleep(0.05)
    me = srv.get("/v1/me", token=token).json()
    return token, me["id"], phone


def photo(tag):
    return base64.b64encode(png_bytes(2048 + tag)).decode()


def apply(srv, token, dev, main=False, role="consultant", **change):
    body = {"development_id": dev["id"], "role": role, "main": main,
            "contact_phone": new_phone(), "business_card": photo(1), "work_badge": photo(2),
            **change}
    return srv.post("/v1/bindings", token=token, json=body)


def approve(srv, binding_id):
    r = srv.post(f"/v1/admin/bindings/{binding_id}/decision", token=srv.token("reviewer1"),
                 json={"decision": "approve"})
    assert r.status_code == 200, r.content[:300]
    return r.json()


def consultant(srv, dev, name="周顾问", role="consultant"):
    token, uid, phone = verified_user(srv, name)
    r = apply(srv, token, dev, role=role)
    assert r.status_code == 201, r.content[:300]
    approve(srv, r.json()["id"])
    return token, uid, phone


def test_every_verified_only_route_refuses_an_unverified_account(srv):
    assert len(ROUTES) >= 5
    token, _, _ = srv.new_user()
    for method, path in ROUTES:
        url = path.replace(":id", "1").replace(":buyer", "2")
        r = srv.request(method, url, token=token,
                        **({"json": {}} if method in ("POST", "PUT") else {}))
        assert_error(r, 403, "identity_required")


def test_an_application_is_reviewed_with_an_audited_clear_read_and_listed_once_approved(srv):
    dev = development(srv, "审核花园")
    token, uid, _ = verified_user(srv, "吴顾问")
    contact = new_phone()
    r = apply(srv, token, dev, main=True, contact_phone=contact)
    assert r.status_code == 201, r.content[:300]
    b = r.json()
    assert b["status"] == "pending" and b["main"] is True and b["development_name"] == "审核花园"
    # the queue: masked phone, no photos
    q = srv.get("/v1/admin/bindings", token=srv.token("reviewer1")).json()["items"]
    item = [x for x in q if x["id"] == b["id"]][0]
    d = phone_digits(contact)
    assert item["contact_phone_masked"] == d[:3] + "****" + d[-4:]
    assert item["has_documents"] is True and "business_card" not in item
    assert_error(srv.post(f"/v1/admin/bindings/{b['id']}/documents", token=srv.token("reviewer1"),
                          json={}), 422, "validation_failed", "reason")
    r = srv.post(f"/v1/admin/bindings/{b['id']}/documents", token=srv.token("reviewer1"),
                 json={"reason": "审核绑定申请"})
    assert r.status_code == 200
    assert base64.b64decode(r.json()["business_card"]) == png_bytes(2049)
    assert base64.b64decode(r.json()["work_badge"]) == png_bytes(2050)
    # only a reviewer reads or decides
    for who in ("admin1", "support1", "auditor1"):
        assert_error(srv.post(f"/v1/admin/bindings/{b['id']}/decision", token=srv.token(who),
                              json={"decision": "approve"}), 403, "forbidden")
    approve(srv, b["id"])
    assert_error(srv.post(f"/v1/admin/bindings/{b['id']}/decision", token=srv.token("reviewer1"),
                          json={"decision": "reject", "reason": "x"}), 409, "conflict")
    # the photos are gone once decided
    assert_error(srv.post(f"/v1/admin/bindings/{b['id']}/documents", token=srv.token("reviewer1"),
                          json={"reason": "again"}), 404, "not_found")
    mine = srv.get("/v1/me/bindings", token=token).json()["items"]
    assert mine[0]["status"] == "approved"
    cons = srv.get(f"/v1/developments/{dev['id']}/consultants").json()["items"]
    assert cons == [{"user_id": uid, "name": "吴顾问", "role": "consultant", "main": True,
                     "verified": True}]
    # audited, and seen by the applicant
    trail = audit_all(srv)
    mine_audit = [a for a in trail if a.get("subject_id") == uid and
                  (a.get("detail") or {}).get("binding_id") == b["id"]]
    assert [a["action"] for a in mine_audit] == ["personal_data.read", "binding.approve"]
    assert mine_audit[0]["categories"] == "id_documents" and mine_audit[0]["reason"] == "审核绑定申请"
    log = srv.get("/v1/me/access-log", token=token).json()["items"]
    assert any("id_documents" in str(x) for x in log)


def test_a_rejection_says_why_to_the_applicant(srv):
    dev = development(srv, "驳回花园")
    token, _, _ = verified_user(srv)
    b = apply(srv, token, dev).json()
    assert_error(srv.post(f"/v1/admin/bindings/{b['id']}/decision", token=srv.token("reviewer1"),
                          json={"decision": "reject"}), 422, "validation_failed", "reason")
    r = srv.post(f"/v1/admin/bindings/{b['id']}/decision", token=srv.token("reviewer1"),
                 json={"decision": "reject", "reason": "工牌照片不清晰"})
    assert r.status_code == 200
    mine = srv.get("/v1/me/bindings", token=token).json()["items"][0]
    assert mine["status"] == "rejected" and mine["reason"] == "工牌照片不清晰"
    assert srv.get(f"/v1/developments/{dev['id']}/consultants").json()["items"] == []
    assert apply(srv, token, dev).status_code == 201  # may apply again


def test_one_main_development_and_four_more(srv):
    token, _, _ = verified_user(srv)
    devs = [development(srv, f"上限花园{i}") for i in range(6)]
    assert apply(srv, token, devs[0], main=True).status_code == 201
    assert_error(apply(srv, token, devs[1], main=True), 409, "conflict", "main")
    assert_error(apply(srv, token, devs[0]), 409, "conflict", "development_id")
    for d in devs[1:5]:
        assert apply(srv, token, d).status_code == 201
    assert_error(apply(srv, token, devs[5]), 403, "forbidden")
    # unbinding frees a place
    first = srv.get("/v1/me/bindings", token=token).json()["items"][0]
    assert srv.delete(f"/v1/bindings/{first['id']}", token=token).status_code == 204
    assert_error(srv.delete(f"/v1/bindings/{first['id']}", token=token), 404, "not_found")
    assert apply(srv, token, devs[5]).status_code == 201


@pytest.mark.parametrize("change, status, code, field", [
    ({"role": "boss"}, 422, "validation_failed", "role"),
    ({"contact_phone": "12345"}, 422, "validation_failed", "contact_phone"),
    ({"business_card": None}, 422, "validation_failed", "business_card"),
    ({"work_badge": "!!"}, 422, "validation_failed", "work_badge"),
    ({"work_badge": base64.b64encode(b"GIF89a" + b"0" * 40).decode()}, 415,
     "unsupported_media_type", "work_badge"),
    ({"business_card": base64.b64encode(png_bytes(600 * 1024)).decode()}, 413,
     "payload_too_large", "business_card"),
    ({"development_id": "123"}, 404, "not_found", "development_id"),
    ({"development_id": "abc"}, 422, "validation_failed", "development_id"),
    ({"extra": 1}, 422, "validation_failed", "extra"),
])
def test_a_bad_application_is_refused_and_nothing_written(srv, change, status, code, field):
    dev = development(srv, "坏申请花园")
    token, _, _ = verified_user(srv)
    body = {"development_id": dev["id"], "contact_phone": new_phone(),
            "business_card": photo(1), "work_badge": photo(2), **change}
    body = {k: v for k, v in body.items() if v is not None}
    assert_error(srv.post("/v1/bindings", token=token, json=body), status, code, field)
    assert srv.get("/v1/me/bindings", token=token).json()["items"] == []


def audit_all(srv):
    items, after = [], 0
    while True:
        j = srv.get(f"/v1/admin/audit?limit=500&after={after}", token=srv.token("auditor1")).json()
        items += j["items"]
        if not j["items"] or not j.get("next_after"):
            return items
        after = j["next_after"]


def masked(phone):
    d = phone_digits(phone)
    return d[:3] + "****" + d[-4:]


def test_the_first_touch_wins_and_the_consultant_sees_a_masked_phone_only(srv):
    dev = development(srv, "归属花园")
    a_token, a_id, _ = consultant(srv, dev, "甲顾问")
    b_token, b_id, _ = consultant(srv, dev, "乙顾问")
    buyer, _, buyer_phone = srv.new_user()
    r = srv.post(f"/v1/developments/{dev['id']}/visits", token=buyer,
                 json={"consultant_id": a_id, "source": "qr"})
    assert r.status_code == 200, r.content[:300]
    assert r.json()["consultant_id"] == a_id and r.json()["new"] is True
    r = srv.post(f"/v1/developments/{dev['id']}/visits", token=buyer,
                 json={"consultant_id": b_id, "source": "link"})
    assert r.json()["consultant_id"] == a_id and r.json()["new"] is False
    items = srv.get("/v1/consultant/buyers", token=a_token).json()["items"]
    assert len(items) == 1 and items[0]["phone_masked"] == masked(buyer_phone)
    assert items[0]["days_left"] == 7 and items[0]["source"] == "qr"
    text = srv.get("/v1/consultant/buyers", token=a_token).text
    assert phone_digits(buyer_phone) not in text
    assert srv.get("/v1/consultant/buyers", token=b_token).json()["items"] == []
    # a development's own consultant is no buyer of it
    assert_error(srv.post(f"/v1/developments/{dev['id']}/visits", token=b_token,
                          json={"consultant_id": a_id, "source": "qr"}), 403, "forbidden")
    # nor is anyone attributed to someone who is not its consultant
    other, other_id, _ = verified_user(srv)
    assert_error(srv.post(f"/v1/developments/{dev['id']}/visits", token=buyer,
                          json={"consultant_id": other_id, "source": "qr"}), 403, "forbidden")
    assert_error(srv.post(f"/v1/developments/{dev['id']}/visits", token=buyer,
                          json={"consultant_id": a_id, "source": "poster"}), 422,
                 "validation_failed", "source")


def test_a_chat_from_the_consultant_list_attributes_the_buyer_and_opens_with_the_card(srv):
    dev = development(srv, "微聊花园")
    c_token, c_id, _ = consultant(srv, dev, "丙顾问")
    buyer, _, _ = srv.new_user()
    r = srv.post("/v1/conversations", token=buyer,
                 json={"peer_id": c_id, "development_id": dev["id"]})
    assert r.status_code == 201, r.content[:300]
    conv = r.json()["id"]
    msgs = history(srv, buyer, conv)["items"]
    assert len(msgs) == 1 and msgs[0]["kind"] == "property"
    assert msgs[0]["body"]["development_id"] == dev["id"]
    assert msgs[0]["body"]["name"] == "微聊花园"
    assert "实际售价" in msgs[0]["body"]["price_notice"]
    # opening it again sends no second card
    srv.post("/v1/conversations", token=buyer, json={"peer_id": c_id, "development_id": dev["id"]})
    assert len(history(srv, buyer, conv)["items"]) == 1
    assert [x["development_id"] for x in
            srv.get("/v1/consultant/buyers", token=c_token).json()["items"]] == [dev["id"]]


def test_a_consultant_writes_first_only_to_a_buyer_of_theirs(srv):
    dev = development(srv, "主动花园")
    c_token, c_id, _ = consultant(srv, dev, "丁顾问")
    buyer, _, _ = srv.new_user()
    buyer_id = srv.get("/v1/me", token=buyer).json()["id"]
    body = {"buyer_id": buyer_id, "development_id": dev["id"]}
    assert_error(srv.post("/v1/consultant/conversations", token=c_token, json=body), 403,
                 "forbidden", "buyer_id")
    srv.post(f"/v1/developments/{dev['id']}/visits", token=buyer,
             json={"consultant_id": c_id, "source": "link"})
    r = srv.post("/v1/consultant/conversations", token=c_token, json=body)
    assert r.status_code == 201, r.content[:300]
    assert history(srv, c_token, r.json()["id"])["items"][0]["kind"] == "property"


def test_a_lapsed_buyer_goes_to_the_pool_and_the_manager_reassigns_with_an_audit_record(srv):
    dev = development(srv, "公池花园", visit_protection_days=0)
    a_token, a_id, _ = consultant(srv, dev, "戊顾问")
    b_token, b_id, _ = consultant(srv, dev, "己顾问")
    m_token, m_id, _ = consultant(srv, dev, "庚经理", role="manager")
    buyer, _, phone = srv.new_user()
    buyer_id = srv.get("/v1/me", token=buyer).json()["id"]
    srv.post(f"/v1/developments/{dev['id']}/visits", token=buyer,
             json={"consultant_id": a_id, "source": "qr"})
    assert srv.get("/v1/consultant/buyers", token=a_token).json()["items"] == []  # lapsed
    assert_error(srv.get(f"/v1/consultant/developments/{dev['id']}/pool", token=a_token), 403,
                 "forbidden")
    pool = srv.get(f"/v1/consultant/developments/{dev['id']}/pool", token=m_token).json()["items"]
    assert [x["buyer_id"] for x in pool] == [buyer_id] and pool[0]["phone_masked"] == masked(phone)
    # a later touch does not take a pooled buyer
    r = srv.post(f"/v1/developments/{dev['id']}/visits", token=buyer,
                 json={"consultant_id": b_id, "source": "qr"})
    assert r.json()["new"] is False and r.json()["consultant_id"] is None
    # the development gets a period again; the manager gives the buyer to 己
    full = srv.get(f"/v1/admin/developments/{dev['id']}", token=srv.token("admin1")).json()
    full["visit_protection_days"] = 7
    assert srv.request("PUT", f"/v1/admin/developments/{dev['id']}", token=srv.token("admin1"),
                       json=full).status_code == 200
    url = f"/v1/consultant/developments/{dev['id']}/pool/{buyer_id}/assign"
    assert_error(srv.post(url, token=a_token, json={"consultant_id": b_id}), 403, "forbidden")
    assert_error(srv.post(url, token=m_token, json={"consultant_id": buyer_id}), 422,
                 "validation_failed", "consultant_id")
    assert srv.post(url, token=m_token, json={"consultant_id": b_id}).status_code == 204
    assert [x["buyer_id"] for x in
            srv.get("/v1/consultant/buyers", token=b_token).json()["items"]] == [buyer_id]
    assert srv.get(f"/v1/consultant/developments/{dev['id']}/pool",
                   token=m_token).json()["items"] == []
    assert_error(srv.post(url, token=m_token, json={"consultant_id": a_id}), 404, "not_found")
    trail = audit_all(srv)
    changes = [a["action"] for a in trail if a.get("subject_id") == buyer_id]
    assert changes == ["attribution.create", "attribution.assign"]


def test_a_consultants_card_shows_the_verified_name_and_developments_to_anyone(srv):
    main_dev = development(srv, "名片主营花园")
    other = development(srv, "名片二号花园")
    token, uid, phone = verified_user(srv, "名片顾问")
    first = apply(srv, token, other)
    second = apply(srv, token, main_dev, main=True)
    # pending bindings are not on the card
    assert_error(srv.get(f"/v1/consultants/{uid}"), 404, "not_found")
    approve(srv, first.json()["id"])
    assert [d["name"] for d in srv.get(f"/v1/consultants/{uid}").json()["developments"]] == [
        "名片二号花园"]
    approve(srv, second.json()["id"])
    r = srv.get(f"/v1/consultants/{uid}")  # no account needed
    assert r.status_code == 200, r.content[:300]
    card = r.json()
    assert card["name"] == "名片顾问" and card["verified"] is True
    assert [(d["name"], d["main"]) for d in card["developments"]] == [
        ("名片主营花园", True), ("名片二号花园", False)]
    assert "实际售价" in card["developments"][0]["price_notice"]
    assert phone_digits(phone) not in r.text
    # an account that is no consultant has no card, and says nothing of itself
    buyer, _, _ = srv.new_user()
    buyer_id = srv.get("/v1/me", token=buyer).json()["id"]
    assert_error(srv.get(f"/v1/consultants/{buyer_id}"), 404, "not_found")
    assert_error(srv.get("/v1/consultants/999999999999"), 404, "not_found")
    for bad in ("abc", "-1", "1" * 30):
        r = srv.get(f"/v1/consultants/{bad}")
        assert r.status_code in (400, 404, 422), (bad, r.status_code)
        assert r.json()["error"]["code"] in ("bad_request", "not_found", "validation_failed")
    # unbinding takes a development off the card, the last one the card itself
    assert srv.request("DELETE", f"/v1/bindings/{first.json()['id']}", token=token).status_code == 204
    assert [d["name"] for d in srv.get(f"/v1/consultants/{uid}").json()["developments"]] == [
        "名片主营花园"]
    assert srv.request("DELETE", f"/v1/bindings/{second.json()['id']}", token=token).status_code == 204
    assert_error(srv.get(f"/v1/consultants/{uid}"), 404, "not_found")


def attributed(srv, dev, consultant_id):
    buyer, _, _ = srv.new_user()
    buyer_id = srv.get("/v1/me", token=buyer).json()["id"]
    r = srv.post(f"/v1/developments/{dev['id']}/visits", token=buyer,
                 json={"consultant_id": consultant_id, "source": "qr"})
    assert r.status_code == 200 and r.json()["stage"] == "new", r.content[:300]
    return buyer, buyer_id


def test_a_recorded_visit_starts_the_deal_period_and_a_deal_keeps_the_buyer(srv):
    dev = development(srv, "到访花园", visit_protection_days=7, deal_protection_days=30)
    a_token, a_id, _ = consultant(srv, dev, "到访甲")
    b_token, _, _ = consultant(srv, dev, "到访乙")
    _, buyer_id = attributed(srv, dev, a_id)
    url = f"/v1/consultant/developments/{dev['id']}/buyers/{buyer_id}/stage"
    # only the buyer's own consultant records, and only a known stage
    assert_error(srv.post(url, token=b_token, json={"stage": "visited"}), 403, "forbidden")
    assert_error(srv.post(url, token=a_token, json={"stage": "signed"}), 422,
                 "validation_failed", "stage")
    assert_error(srv.post(url, token=a_token, json={}), 422, "validation_failed", "stage")
    assert_error(srv.post(url, token=a_token, json={"stage": "deal", "x": 1}), 422,
                 "validation_failed")
    before = int(time.time() * 1000) - 1000  # clocks read apart
    r = srv.post(url, token=a_token, json={"stage": "visited"})
    assert r.status_code == 200, r.content[:300]
    assert r.json()["stage"] == "visited"
    assert r.json()["protected_until"] >= before + 30 * 86400000
    (item,) = srv.get("/v1/consultant/buyers", token=a_token).json()["items"]
    assert item["stage"] == "visited" and item["days_left"] == 30 and item["visited_at"] >= before
    assert_error(srv.post(url, token=a_token, json={"stage": "visited"}), 409, "conflict")
    r = srv.post(url, token=a_token, json={"stage": "deal"})
    assert r.status_code == 200 and r.json() == {"stage": "deal", "protected_until": None}
    (item,) = srv.get("/v1/consultant/buyers", token=a_token).json()["items"]
    assert item["stage"] == "deal" and item["days_left"] is None and item["deal_at"] >= before
    assert_error(srv.post(url, token=a_token, json={"stage": "deal"}), 409, "conflict")
    assert_error(srv.post(url, token=a_token, json={"stage": "visited"}), 409, "conflict")
    changes = [a["action"] for a in audit_all(srv) if a.get("subject_id") == buyer_id]
    assert changes == ["attribution.create", "attribution.visit", "attribution.deal"]


def test_a_visited_buyer_lapses_after_the_deal_period_but_a_deal_never_does(srv):
    dev = development(srv, "成交花园", visit_protection_days=7, deal_protection_days=0)
    a_token, a_id, _ = consultant(srv, dev, "成交甲")
    m_token, _, _ = consultant(srv, dev, "成交经理", role="manager")
    _, visited = attributed(srv, dev, a_id)
    _, dealt = attributed(srv, dev, a_id)
    base = f"/v1/consultant/developments/{dev['id']}/buyers"
    assert srv.post(f"{base}/{visited}/stage", token=a_token,
                    json={"stage": "visited"}).status_code == 200
    assert srv.post(f"{base}/{dealt}/stage", token=a_token,
                    json={"stage": "deal"}).status_code == 200
    # a deal period of 0 days: the visited buyer is in the pool at once
    mine = srv.get("/v1/consultant/buyers", token=a_token).json()["items"]
    assert [(x["buyer_id"], x["stage"]) for x in mine] == [(dealt, "deal")]
    pool = srv.get(f"/v1/consultant/developments/{dev['id']}/pool", token=m_token).json()["items"]
    assert [x["buyer_id"] for x in pool] == [visited]
    # a lapsed buyer is nobody's to record
    assert_error(srv.post(f"{base}/{visited}/stage", token=a_token, json={"stage": "deal"}), 403,
                 "forbidden")
    # the manager cannot take a closed deal away, and reassigning starts afresh
    assign = f"/v1/consultant/developments/{dev['id']}/pool"
    b_token, b_id, _ = consultant(srv, dev, "成交乙")
    assert_error(srv.post(f"{assign}/{dealt}/assign", token=m_token, json={"consultant_id": b_id}),
                 404, "not_found")
    assert srv.post(f"{assign}/{visited}/assign", token=m_token,
                    json={"consultant_id": b_id}).status_code == 204
    (item,) = srv.get("/v1/consultant/buyers", token=b_token).json()["items"]
    assert item["stage"] == "new" and item["visited_at"] is None and item["days_left"] == 7


def test_cancellation_pools_a_consultants_buyers_and_erases_a_buyers_attributions(srv):
    dev = development(srv, "注销花园")
    c_token, c_id, c_phone = consultant(srv, dev, "辛顾问")
    m_token, _, _ = consultant(srv, dev, "壬经理", role="manager")
    buyer, _, buyer_phone = srv.new_user()
    buyer_id = srv.get("/v1/me", token=buyer).json()["id"]
    srv.post(f"/v1/developments/{dev['id']}/visits", token=buyer,
             json={"consultant_id": c_id, "source": "qr"})
    cancel(srv, c_token, c_phone)
    assert srv.get(f"/v1/developments/{dev['id']}/consultants").json()["items"][0]["name"] == "壬经理"
    pool = srv.get(f"/v1/consultant/developments/{dev['id']}/pool", token=m_token).json()["items"]
    assert [x["buyer_id"] for x in pool] == [buyer_id]
    cancel(srv, buyer, buyer_phone)
    assert srv.get(f"/v1/consultant/developments/{dev['id']}/pool",
                   token=m_token).json()["items"] == []
