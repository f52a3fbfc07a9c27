"""楼盘点评 in a real browser (issue 14): a buyer writes a review on a
development's page, sees a banned word pointed out and fixes it, edits
and deletes it; a visitor reads the reviews with the computed scores and
the professional mark; a taken-down review's author sees why."""
from browserkit import browser, person  # noqa: F401
from staffkit import staff_server  # noqa: F401 (fixture)
from test_binding import consultant, development
from test_reviews import body


def pick(b, name, value):
    b.js("const s = document.querySelector(`select[name=${arguments[0]}]`); s.value = arguments[1];"
         "s.dispatchEvent(new Event('change', {bubbles: true}));", name, value)


def test_a_buyer_writes_fixes_edits_and_deletes_a_review(staff_server, browser):
    dev = development(staff_server, "网页点评花园")
    p = person(browser, staff_server)
    p.b.open(f"/homes/{dev['id']}")
    p.b.wait_text("暂无点评", "[data-testid=reviews]")
    p.b.click("[data-testid=review-write]")
    pick(p.b, "score-price", "3")
    pick(p.b, "score-transport", "4")
    p.b.type("textarea[name=review-text]", "周边配套是全城最佳")
    p.b.click("[data-testid=review-save]")
    p.b.wait_text("「最佳」", "[data-testid=rejected]")
    p.b.wait_text("第 8–9 个字", "[data-testid=rejected]")
    p.b.assert_accessible()
    p.b.type("textarea[name=review-text]", "周边配套齐全，通勤方便")
    p.b.click("[data-testid=review-save]")
    p.b.wait_text("周边配套齐全，通勤方便", "[data-testid=review-text]")
    p.b.wait_text("4.4", "[data-testid=review-overall]")  # (3 + 5 + 4 + 5 + 5) / 5
    listing = staff_server.get(f"/v1/developments/{dev['id']}/reviews").json()
    assert listing["summary"]["overall"] == 4.4
    p.b.click("[data-testid=review-write]")
    pick(p.b, "score-price", "1")
    p.b.click("[data-testid=review-save]")
    p.b.wait_text("4.0", "[data-testid=review-overall]")
    p.b.click("[data-testid=review-write]")
    p.b.click("[data-testid=review-delete]")
    p.b.wait_text("暂无点评", "[data-testid=reviews]")
    assert staff_server.get(f"/v1/developments/{dev['id']}/reviews").json()["items"] == []
    p.b.assert_console_clean(allow=("422",))


def test_a_visitor_reads_reviews_and_an_author_sees_a_takedown(staff_server, browser):
    dev = development(staff_server, "网页下架花园")
    other = development(staff_server, "网页专家花园")
    c_token, _, _ = consultant(staff_server, other, "网页专家")
    assert staff_server.post(f"/v1/developments/{dev['id']}/reviews", token=c_token,
                             json=body(text="专业角度看，户型方正")).status_code == 201
    p = person(browser, staff_server)
    rid = staff_server.post(f"/v1/developments/{dev['id']}/reviews", token=p.token,
                            json=body(text="这条会被下架")).json()["id"]
    b = browser(staff_server)
    b.open("/")
    b.click("[data-testid=refuse]")
    b.open(f"/homes/{dev['id']}")
    b.wait_text("专家点评", "[data-testid=reviews]")
    b.wait_text("2 条点评", "[data-testid=review-summary]")
    b.wait_text("登录后可写点评", "[data-testid=reviews]")
    b.assert_accessible()
    assert staff_server.post(f"/v1/admin/reviews/{rid}/takedown", token=staff_server.token("reviewer1"),
                             json={"reason": "与楼盘无关"}).status_code == 204
    p.b.open(f"/homes/{dev['id']}")
    p.b.wait_text("与楼盘无关", "[data-testid=review-hidden]")
    p.b.assert_accessible()
    b.open(f"/homes/{dev['id']}")
    b.wait_text("1 条点评", "[data-testid=review-summary]")
    assert "这条会被下架" not in b.text()
    b.assert_console_clean()
    p.b.assert_console_clean()


def test_a_reviewer_takes_a_review_down_and_an_admin_edits_the_words(staff_server, browser):
    from test_web_staff import staff_sign_in
    dev = development(staff_server, "审核台花园")
    token, _, _ = staff_server.new_user()
    rid = staff_server.post(f"/v1/developments/{dev['id']}/reviews", token=token,
                            json=body(text="审核台上的点评")).json()["id"]
    r = browser(staff_server, width=1280)
    staff_sign_in(r, "reviewer1")
    r.open("/staff/moderation")
    item = f"[data-testid=mod-review][data-review='{rid}']"
    r.wait_text("审核台上的点评", item)
    r.assert_accessible()
    r.type(f"{item} input[name=takedown-reason]", "广告内容")
    r.click(f"{item} [data-testid=takedown]")
    r.wait(lambda: not r.all(item), what="the review gone from the published list")
    (mine,) = staff_server.get("/v1/me/reviews", token=token).json()["items"]
    assert mine["status"] == "hidden" and mine["hidden_reason"] == "广告内容"
    assert r.find("textarea[name=banned-words]").get_attribute("readonly") is not None
    r.assert_console_clean()
    a = browser(staff_server, width=1280)
    staff_sign_in(a, "admin1")
    a.open("/staff/moderation")
    a.wait(lambda: "第一 | 第一期" in a.find("textarea[name=banned-words]").get_attribute("value"),
           what="the words")
    words = a.find("textarea[name=banned-words]").get_attribute("value")
    a.js("const t = document.querySelector('textarea[name=banned-words]'); t.value = arguments[0];"
         "t.dispatchEvent(new Event('input', {bubbles: true}));", words + "\n网红盘 | 网红盘点")
    a.click("[data-testid=words-save]")
    a.wait_text("已保存", "[data-testid=words-saved]")
    got = staff_server.get("/v1/admin/moderation/words", token=staff_server.token("admin1")).json()
    assert {"word": "网红盘", "allow": ["网红盘点"]} in [
        {"word": w["word"], "allow": w["allow"]} for w in got["items"]]
    e = staff_server.post(f"/v1/developments/{dev['id']}/reviews", token=staff_server.new_user()[0],
                          json=body(text="本市网红盘"))
    assert e.status_code == 422 and e.json()["error"]["word"] == "网红盘"
    a.assert_console_clean()
