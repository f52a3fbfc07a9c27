"""The staff console in a real browser (issue 10): password sign-in, a menu
with only what the role may do, the requests queue by deadline with answers
and refusals, finding a user with masked fields and a reveal that asks for
a reason and shows in the user's own access log, the audit trail with its
chain status, bulk export under four eyes, policy versions with a diff,
incident notices and staff accounts."""
import json

import engine

from browserkit import Browser, browser, person  # noqa: F401
from conftest import masked, phone_digits
from staffkit import PASSWORD, STAFF, staff_server  # noqa: F401 (fixture)

MENU = {
    "admin": ["请求与投诉", "用户查询", "批量导出", "隐私政策版本", "安全事件告知", "员工账号",
              "绑定楼盘审核", "楼盘库", "内容审核"],
    "support": ["请求与投诉", "用户查询", "批量导出", "隐私政策版本"],
    "reviewer": ["用户查询", "隐私政策版本", "绑定楼盘审核", "楼盘库", "内容审核"],
    "auditor": ["审计记录", "隐私政策版本"],
}
NAME = {"admin": "admin1", "support": "support1", "reviewer": "reviewer1", "auditor": "auditor1"}


def staff_sign_in(b, name, password=PASSWORD):
    b.open("/staff/")
    b.type("input[name=name]", name)
    b.type("input[name=password]", password)
    b.click("[data-testid=staff-login]")
    b.css("[data-testid=staff-me]")


def menu(b):
    return [a.text for a in b.all(".console-nav a")]


def test_each_role_sees_only_the_pages_it_may_use(staff_server, browser):
    b = browser(staff_server, width=1280)
    for role, pages in MENU.items():
        staff_sign_in(b, NAME[role])
        assert menu(b) == pages, role
        b.assert_accessible()
        if role != "admin":
            b.open("/staff/accounts")
            b.wait_text("无权访问")
        b.click("[data-testid=staff-logout]")
        b.css("input[name=password]")
    b.assert_console_clean()


def test_a_wrong_password_is_refused_and_the_session_is_a_cookie(staff_server, browser):
    b = browser(staff_server, width=1280)
    b.open("/staff/")
    b.type("input[name=name]", "support1")
    b.type("input[name=password]", "wrong password!")
    b.click("[data-testid=staff-login]")
    b.css("[role=alert][data-error-code=unauthorized]")
    staff_sign_in(b, "support1")
    cookies = b.d.execute_cdp_cmd("Network.getAllCookies", {})["cookies"]
    c = [c for c in cookies if c["name"] == "wlk_staff"]
    assert c and c[0]["httpOnly"] and c[0]["path"] == "/v1/admin" and c[0]["sameSite"] == "Strict"
    assert "wlk_staff" not in b.js("return document.cookie")
    b.assert_console_clean(allow=[r"/v1/admin/login .* 401"])


def test_the_requests_queue_is_sorted_by_deadline_and_answered_or_refused(staff_server, browser):
    srv = staff_server
    token, _, _ = srv.new_user()
    ids = [srv.post("/v1/me/requests", token=token, json={"type": t, "text": x}).json()["id"]
           for t, x in (("complaint", "客服三天没回复"), ("deletion", "请删除我的聊天记录"))]
    b = browser(srv, width=1280)
    staff_sign_in(b, "support1")
    b.open("/staff/requests")
    rows = b.css("[data-testid=request-queue]")
    assert "剩余 15 天" in rows.text
    order = [r.get_attribute("data-request") for r in b.all("[data-request]")]
    assert order.index(ids[0]) < order.index(ids[1]), "by deadline"
    b.assert_accessible()
    b.find(f"[data-request='{ids[0]}'] a").click()
    b.wait_text("客服三天没回复", "[data-testid=request-detail]")
    b.type("textarea", "已核实并改进，抱歉。")
    b.click("[data-testid=answer]")
    b.wait_text("已答复", "[data-testid=request-detail]")
    b.open(f"/staff/requests/{ids[1]}")
    b.css("[data-testid=request-detail]")
    b.find("select").send_keys("拒绝")
    texts = b.all("textarea")
    texts[0].send_keys("无法删除")
    texts[1].send_keys("短")
    b.click("[data-testid=answer]")
    b.wait_text("拒绝须说明理由")
    b.all("textarea")[1].send_keys("：聊天记录依法需保存至纠纷解决")
    b.click("[data-testid=answer]")
    b.wait_text("已拒绝", "[data-testid=request-detail]")
    mine = {r["id"]: r for r in srv.get("/v1/me/requests", token=token).json()["items"]}
    assert mine[ids[0]]["status"] == "done" and mine[ids[0]]["answer"] == "已核实并改进，抱歉。"
    assert mine[ids[1]]["status"] == "refused" and mine[ids[1]]["complain_to"]["url"]
    b.assert_console_clean(allow=[r"/answer .* 422"])


def test_a_reveal_asks_for_a_reason_and_shows_in_the_users_access_log(staff_server, browser):
    user = person(browser, staff_server)
    b = browser(staff_server, width=1280)
    staff_sign_in(b, "support1")
    b.open("/staff/users")
    b.type("input[name=lookup-phone]", user.phone)
    b.type("input[name=lookup-reason]", "用户来电咨询账号")
    b.click("[data-testid=lookup]")
    card = b.css("[data-testid=user-masked]")
    assert masked(user.phone) in card.text and phone_digits(user.phone) not in b.text()
    b.assert_accessible()
    b.click("[data-testid=reveal-phone]")
    b.click("[data-testid=reveal]")
    b.wait_text("请说明查看理由")
    assert phone_digits(user.phone) not in b.text(), "no reason, no clear data"
    b.type("textarea[name=reason]", "核实退款申请人的手机号")
    b.click("[data-testid=reveal]")
    b.wait_text(phone_digits(user.phone), "[data-testid=revealed]")
    # the person sees both, with the reasons
    user.b.open("/me/access-log")
    user.b.wait_text("核实退款申请人的手机号", "[data-testid=access-log]")
    assert "用户来电咨询账号" in user.b.text("[data-testid=access-log]")
    assert "support1" in user.b.text("[data-testid=access-log]")
    b.assert_console_clean(allow=[r"/reveal .* 422"])
    user.b.assert_console_clean()


def test_the_auditor_sees_the_trail_and_its_chain_status(staff_server, browser):
    b = browser(staff_server, width=1280)
    staff_sign_in(b, "auditor1")
    b.open("/staff/audit")
    ok = b.css("[data-testid=chain-ok]")
    checked = staff_server.get("/v1/admin/audit/verify",
                               token=staff_server.token("auditor1")).json()["checked"]
    assert f"{checked} 条" in ok.text or checked > 0
    assert "staff.add" in b.text("[data-testid=audit-table]")
    b.assert_accessible()
    b.assert_console_clean()


def test_a_bulk_export_needs_a_second_admin_and_is_read_once(staff_server, browser):
    srv = staff_server
    _, j, phone = srv.new_user()
    uid = j["user"]["id"]
    one = browser(srv, width=1280)
    staff_sign_in(one, "admin1")
    one.open("/staff/exports")
    one.type("textarea[name=export-ids]", uid)
    one.type("input[name=export-reason]", "监管部门依法调取")
    one.click("[data-testid=export-request]")
    row = one.wait(lambda: next((r for r in one.all("[data-export]")
                                 if r.get_attribute("data-status") == "pending"), None),
                   what="the pending export")
    eid = row.get_attribute("data-export")
    assert not one.all(f"[data-export='{eid}'] [data-testid=export-approve]"), "not your own"
    two = browser(srv, width=1280)
    staff_sign_in(two, "admin2")
    two.open("/staff/exports")
    two.css(f"[data-export='{eid}'] [data-testid=export-approve]").click()
    two.wait(lambda: two.find(f"[data-export='{eid}']").get_attribute("data-status") == "approved",
             what="approved")
    one.open("/staff/exports")
    one.css(f"[data-export='{eid}'] [data-testid=export-read]").click()
    one.css("[data-testid=export-data]")
    one.wait(lambda: one.find(f"[data-export='{eid}']").get_attribute("data-status") == "read",
             what="read once")
    assert not one.all(f"[data-export='{eid}'] [data-testid=export-read]")
    for b in (one, two):
        b.assert_console_clean()


def test_policy_versions_are_listed_with_a_diff_between_two(make_server, browser):
    srv = make_server("--sqlite-lock", "shared")
    current = srv.get("/v1/privacy/policy").json()
    srv.stop()
    old = dict(current)
    lines = current["text"].split("\n")
    old["text"] = "\n".join(lines[:5] + ["旧版本中才有的一行"] + lines[6:])
    old["version"] = "00000000000000aa"
    old["published_at"] = current["published_at"] - 86400000
    old["note"] = "旧版本"
    con = engine.connect(srv.data_dir)
    con.execute("INSERT INTO policy_versions (version, published_at, material, note, doc) "
                "VALUES (?, ?, 0, ?, ?)", (old["version"], old["published_at"], old["note"],
                                           json.dumps(old, ensure_ascii=False)))
    con.commit()
    con.close()
    srv.start()
    from staffkit import add_staff
    add_staff(srv.data_dir, "rev", "reviewer", shared=True)
    b = browser(srv, width=1280)
    staff_sign_in(b, "rev")
    b.open("/staff/policy")
    b.wait(lambda: len(b.all("[data-testid=policy-versions] tbody tr")) == 2, what="two versions")
    b.click("[data-testid=compare]")
    b.wait_text("共 2 行不同", "[data-testid=diff-summary]")
    diff = b.text("[data-testid=diff]")
    assert "- 旧版本中才有的一行" in diff and f"+ {lines[5]}" in diff
    b.assert_accessible()
    b.assert_console_clean()


def test_an_admin_publishes_an_incident_notice_the_user_reads(staff_server, browser):
    user = person(browser, staff_server)
    b = browser(staff_server, width=1280)
    staff_sign_in(b, "admin1")
    b.open("/staff/incidents")
    b.css("[data-cat=phone]").click()
    for k, v in (("cause", "短信服务商接口被越权调用"), ("harm", "手机号可能被看到"),
                 ("remedies", "已关闭接口并更换密钥"), ("actions", "警惕冒充客服的电话")):
        b.type(f"textarea[name=inc-{k}]", v)
    b.find("select").send_keys("指定")
    b.css("textarea:not([name])").send_keys(user.id)
    b.assert_accessible()
    b.click("[data-testid=incident-send]")
    b.wait_text("已通知 1 名用户", "[data-testid=incident-done]")
    user.b.open("/me/notices")
    user.b.wait_text("短信服务商接口被越权调用", "[data-testid=notices]")
    b.assert_console_clean()


def test_an_admin_adds_and_disables_staff_accounts(staff_server, browser):
    b = browser(staff_server, width=1280)
    staff_sign_in(b, "admin1")
    b.open("/staff/accounts")
    b.type("input[name=new-name]", "web-added")
    b.find("select").send_keys("审计员")
    b.type("input[name=new-password]", "short")
    b.click("[data-testid=staff-add]")
    b.wait_text("密码至少 12 位")
    b.type("input[name=new-password]", PASSWORD)
    b.click("[data-testid=staff-add]")
    b.css("[data-staff=web-added]")
    assert "审计员" in b.text("[data-staff=web-added]")
    assert not b.all("[data-staff=admin1] button"), "no way to disable yourself"
    b.assert_accessible()
    other = browser(staff_server, width=1280)
    staff_sign_in(other, "web-added")
    b.css("[data-staff=web-added] button").click()
    b.wait_text("已停用", "[data-staff=web-added]")
    other.open("/staff/audit")
    other.css("input[name=password]")   # signed out: the session ended with the account
    b.assert_console_clean(allow=[r"/v1/admin/staff .* 422"])
