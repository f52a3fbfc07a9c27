"""找房, verification, bindings and buyers in a real browser (issue 13):
a visitor who refused the policy browses and searches the catalogue; a
buyer chats from a development's consultant list and the chat opens with
its card; a consultant verifies, applies for a binding and sees it
decided; a consultant's buyers show masked phones and take a recorded
visit and deal; the reviewer's queue
with its audited document read; the staff catalogue editor."""
import base64

from browserkit import browser, person  # noqa: F401
from conftest import phone_digits, png_bytes
from staffkit import staff_server  # noqa: F401 (fixture)
from test_binding import consultant, development
from test_identity import id_number
from test_web_staff import staff_sign_in


def test_a_visitor_who_refused_browses_and_searches_developments(staff_server, browser):
    pic = staff_server.post("/v1/admin/catalog/images", token=staff_server.token("admin1"),
                            data=png_bytes(1500), headers={"Content-Type": "image/png"}).json()["id"]
    dev = development(staff_server, "浏览测试花园", alias="Liulan",
                      layouts=[{"name": "A户型", "rooms": 3, "area": 98.5, "image": pic}])
    b = browser(staff_server)
    b.open("/")
    b.click("[data-testid=refuse]")
    b.click("[data-testid=browse-homes]")
    b.css("[data-testid=development]")
    b.type("input[name=q]", "lcshy")  # the pinyin initials of 浏览测试花园
    b.click("[data-testid=search]")
    b.wait(lambda: [e.text for e in b.all("[data-testid=development]")] and
           all("浏览测试花园" in e.text for e in b.all("[data-testid=development]")),
           what="the search result")
    b.assert_accessible()
    b.css("[data-testid=development] a").click()
    b.wait_text("实际售价以开发商", "[data-testid=price-notice]")
    b.wait_text("A户型", "[data-testid=layout]")
    b.wait(lambda: b.js("const i = document.querySelector('[data-testid=plan]');"
                        "return !!i && i.complete && i.naturalWidth > 0;"), what="the floor plan")
    b.wait_text("暂无认证顾问")
    b.assert_accessible()
    assert b.path() == f"/homes/{dev['id']}"
    b.assert_console_clean()


def test_a_buyer_chats_from_the_consultant_list_and_the_chat_opens_with_the_card(staff_server,
                                                                                browser):
    dev = development(staff_server, "微聊测试花园")
    consultant(staff_server, dev, "陈顾问")
    p = person(browser, staff_server)
    p.b.open(f"/homes/{dev['id']}")
    p.b.wait_text("陈顾问", "[data-testid=consultant]")
    p.b.wait_text("已认证", "[data-testid=consultant]")
    p.b.assert_accessible()
    p.b.click("[data-testid=wechat]")
    p.b.wait(lambda: p.b.path().startswith("/chat/"), what="the chat view")
    p.b.wait_text("微聊测试花园", "[data-testid=messages]")
    p.b.assert_console_clean()


def test_a_consultant_verifies_applies_and_sees_the_decision(staff_server, browser, tmp_path):
    dev = development(staff_server, "申请测试花园")
    p = person(browser, staff_server)
    p.b.open("/me/verify")
    p.b.css("[data-testid=consent-identity_verification]")
    p.b.assert_accessible()
    p.b.click("[data-testid=consent-agree]")
    p.b.type("input[name=name]", "黄顾问")
    p.b.type("input[name=id_number]", id_number("19870203", seq="531"))
    photo = tmp_path / "face.png"
    photo.write_bytes(png_bytes(3000))
    p.b.present("input[name=face_photo]").send_keys(str(photo))
    p.b.click("[data-testid=verify-submit]")
    p.b.wait_text("黄顾问", "[data-testid=verified]", timeout=20)
    p.b.open("/me/bindings")
    p.b.type("input[name=binding-q]", "申请测试")
    p.b.click("[data-testid=binding-search]")
    p.b.css("select[name=development_id]")
    p.b.js("const s = document.querySelector('select[name=development_id]');"
           "s.value = arguments[0]; s.dispatchEvent(new Event('change', {bubbles: true}));", dev["id"])
    p.b.type("input[name=contact_phone]", "13912345678")
    card, badge = tmp_path / "card.png", tmp_path / "badge.png"
    card.write_bytes(png_bytes(2500))
    badge.write_bytes(png_bytes(2600))
    p.b.present("input[name=business_card]").send_keys(str(card))
    p.b.present("input[name=work_badge]").send_keys(str(badge))
    p.b.click("[data-testid=binding-apply]")
    p.b.wait_text("审核中", "[data-testid=binding-status]")
    p.b.assert_accessible()
    # the reviewer reads the documents with a reason and rejects with one
    r = browser(staff_server, width=1280)
    staff_sign_in(r, "reviewer1")
    r.open("/staff/bindings")
    app = f"[data-testid=application][data-binding] "
    r.wait_text("139****5678", "[data-testid=masked-phone]")
    r.assert_accessible()
    r.type("input[name=docs-reason]", "审核绑定申请")
    r.click("[data-testid=show-documents]")
    r.css("[data-testid=card-image]")
    r.type("input[name=reject-reason]", "工牌照片不清晰")
    r.click("[data-testid=reject]")
    r.wait(lambda: not any("申请测试花园" in e.text for e in r.all(app.strip())), what="the queue")
    p.b.open("/me/bindings")
    p.b.wait_text("已驳回", "[data-testid=binding-status]")
    p.b.wait_text("工牌照片不清晰", "[data-testid=binding-reason]")
    p.b.open("/me/access-log")
    p.b.wait_text("审核绑定申请")
    p.b.assert_console_clean()
    r.assert_console_clean()


def test_a_consultants_buyers_show_masked_phones_only(staff_server, browser):
    dev = development(staff_server, "客户测试花园")
    p = person(browser, staff_server)
    # verified and approved through the API, for this person
    from conftest import grant_consent
    from test_identity import face_body
    grant_consent(staff_server, p.token, "identity_verification")
    staff_server.post("/v1/me/identity", token=p.token,
                      json=face_body("林顾问", id_number("19800505", seq="642")))
    import time
    deadline = time.monotonic() + 10
    while staff_server.get("/v1/me/identity", token=p.token).json()["status"] != "verified":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    from test_binding import apply, approve
    approve(staff_server, apply(staff_server, p.token, dev).json()["id"])
    buyer, _, buyer_phone = staff_server.new_user()
    staff_server.post(f"/v1/developments/{dev['id']}/visits", token=buyer,
                      json={"consultant_id": p.id, "source": "qr"})
    p.b.open("/me/buyers")
    d = phone_digits(buyer_phone)
    p.b.wait_text(d[:3] + "****" + d[-4:], "[data-testid=buyer-phone]")
    assert d not in p.b.text()
    p.b.wait_text("到访保护期剩余 7 天", "[data-testid=buyer-protection]")
    p.b.assert_accessible()
    # 到访 starts the deal period; 成交 keeps the buyer
    p.b.click("[data-testid=record-visit]")
    p.b.wait_text("已到访", "[data-testid=buyer-stage]")
    p.b.wait_text("成交保护期剩余 30 天", "[data-testid=buyer-protection]")
    assert not p.b.all("[data-testid=record-visit]")
    p.b.click("[data-testid=record-deal]")
    p.b.wait_text("已成交", "[data-testid=buyer-stage]")
    assert not p.b.all("[data-testid=record-deal]")
    (item,) = staff_server.get("/v1/consultant/buyers", token=p.token).json()["items"]
    assert item["stage"] == "deal"
    p.b.assert_accessible()
    p.b.assert_console_clean()


def test_an_admin_edits_and_retires_a_development_in_the_console(staff_server, browser):
    dev = development(staff_server, "编辑测试花园")
    b = browser(staff_server, width=1280)
    staff_sign_in(b, "admin1")
    b.open("/staff/developments")
    b.type("input[name=dev-q]", "编辑测试")
    b.click("[data-testid=dev-search]")
    b.css("[data-testid=dev-open]").click()
    b.wait(lambda: dev["id"] in b.find("textarea[name=dev-json]").get_attribute("value"),
           what="the document")
    b.assert_accessible()
    doc = b.find("textarea[name=dev-json]").get_attribute("value").replace('"price_avg": 52000',
                                                                           '"price_avg": 48000')
    b.js("const t = document.querySelector('textarea[name=dev-json]'); t.value = arguments[0];"
         "t.dispatchEvent(new Event('input', {bubbles: true}));", doc)
    b.click("[data-testid=dev-save]")
    b.wait_text("已保存", "[data-testid=dev-saved]")
    assert staff_server.get(f"/v1/developments/{dev['id']}").json()["price_avg"] == 48000
    b.click("[data-testid=dev-retire]")
    b.wait_text("已下架", "[data-testid=dev-saved]")
    assert staff_server.get(f"/v1/developments/{dev['id']}").status_code == 404
    b.assert_console_clean()


def test_an_admin_sees_an_imports_progress_counts_and_refused_lines(staff_server, browser,
                                                                    tmp_path):
    import json
    good = {"ext_id": "web-imp-1", "name": "导入测试花园", "city": "上海", "district": "浦东",
            "sale_status": "on_sale", "price_avg": 50000}
    f = tmp_path / "web-import.jsonl"
    f.write_text(json.dumps(good, ensure_ascii=False) + "\n" +
                 json.dumps({**good, "ext_id": "web-imp-2", "price_avg": -1}) + "\n")
    r = staff_server.wlk("developments", "import", str(f))
    assert r.returncode == 1, r.stderr
    b = browser(staff_server, width=1280)
    staff_sign_in(b, "admin1")
    b.open("/staff/developments")
    run = "[data-testid=import-run][data-status=done]"
    b.wait_text("web-import.jsonl", run)
    b.wait_text("共 2 行：新增 1，更新 0，未变 0，拒绝 1", f"{run} [data-testid=import-counts]")
    b.css(f"{run} summary").click()
    problem = f"{run} [data-testid=import-problem][data-code=validation_failed]"
    b.wait_text("第 2 行：填写的内容有误，请检查。（字段 price_avg）", problem)
    b.assert_accessible()
    b.assert_console_clean()


def test_a_consultants_card_page_lists_their_developments_and_opens_a_chat(staff_server, browser):
    dev = development(staff_server, "名片测试花园")
    _, c_id, _ = consultant(staff_server, dev, "名片测试顾问")
    # a visitor who refused the policy reaches the card from the development page
    b = browser(staff_server)
    b.open("/")
    b.click("[data-testid=refuse]")
    b.open(f"/homes/{dev['id']}")
    b.css("[data-testid=card-link]").click()
    b.wait(lambda: b.path() == f"/consultants/{c_id}", what="the card page")
    b.wait_text("名片测试顾问", "[data-testid=card-name]")
    b.wait_text("名片测试花园", "[data-testid=card-development]")
    b.wait_text("登录后可微聊", "[data-testid=card-development]")
    b.assert_accessible()
    b.assert_console_clean()
    # a signed-in buyer chats from the card: attributed, and the chat opens with the card
    p = person(browser, staff_server)
    p.b.open(f"/consultants/{c_id}")
    p.b.click("[data-testid=card-wechat]")
    p.b.wait(lambda: p.b.path().startswith("/chat/"), what="the chat view")
    p.b.wait_text("名片测试花园", "[data-testid=messages]")
    r = staff_server.post(f"/v1/developments/{dev['id']}/visits", token=p.token,
                          json={"consultant_id": c_id, "source": "link"})
    assert r.json()["consultant_id"] == c_id and r.json()["new"] is False
    p.b.assert_console_clean()


def nearby_pair(srv, tag, lat, lng):
    """Two developments around a GPS reading (lat, lng): one a street away,
    one some 14 km off. Each test has its own place, 20 km from others."""
    near = development(srv, f"附近{tag}近盘", location={"lat": lat + 0.0013, "lng": lng + 0.0046})
    far = development(srv, f"附近{tag}远盘", location={"lat": lat + 0.1, "lng": lng + 0.1})
    return near, far


def nearby_names(b):
    return [e.text.split("\n")[0].split(" ")[0] for e in b.all("[data-testid=development]")]


def test_a_visitor_finds_nearby_developments_by_the_devices_position(staff_server, browser):
    near, far = nearby_pair(staff_server, "甲", 31.2, 121.5)
    b = browser(staff_server)
    b.grant_geolocation(31.2, 121.5)
    b.open("/")
    b.click("[data-testid=refuse]")
    b.click("[data-testid=browse-homes]")
    b.css("[data-testid=development]")
    b.click("[data-testid=nearby]")
    b.wait_text("位置仅用于本次搜索", "[data-testid=nearby-on]")
    b.wait(lambda: nearby_names(b) == [near["name"], far["name"]], what="the nearest first")
    assert "km" in b.all("[data-testid=development]")[0].text
    b.assert_accessible()
    b.click("[data-testid=nearby-off]")
    b.css("[data-testid=nearby]")
    b.assert_console_clean()


def test_a_signed_in_buyer_is_asked_for_the_location_consent_before_nearby(staff_server, browser):
    near, far = nearby_pair(staff_server, "乙", 30.2, 120.1)
    p = person(browser, staff_server)
    p.b.grant_geolocation(30.2, 120.1)
    p.b.open("/homes")
    p.b.click("[data-testid=nearby]")
    p.b.css("[data-testid=consent-location]")
    p.b.assert_accessible()
    p.b.click("[data-testid=consent-refuse]")
    p.b.wait_text("未使用您的位置", "[data-testid=nearby-note]")
    assert not p.b.all("[data-testid=nearby-on]")
    consents = staff_server.get("/v1/me/consents", token=p.token).json()["items"]
    assert not any(c["scope"] == "location" and c.get("granted_at") and not c.get("withdrawn_at")
                   for c in consents)
    p.b.click("[data-testid=nearby]")
    p.b.click("[data-testid=consent-agree]")
    p.b.wait(lambda: nearby_names(p.b) == [near["name"], far["name"]], what="the nearest first")
    p.b.assert_console_clean()
