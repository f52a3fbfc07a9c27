"""我的 in a real browser (issue 10, app 5): profile correction, devices and
their removal, every consent switch with what it is for, the staff access
log, incident notices, and the rights flows: export (a download), withdrawal
of the whole policy and its restoration, cancellation with its step-up code
and the erasure report; and a material policy update asking again before
anything else (R4)."""
import json
import time

import pytest

from browserkit import browser, me_of, open_chat_with, person, sign_in  # noqa: F401
from conftest import db_file_bytes, full_history, phone_digits, send_text
from rights_helpers import verify_lines
from staffkit import staff_server, wlk  # noqa: F401 (fixture)


def step_up(p):
    """Asks the page for the identity-check code and types it in."""
    before = len(verify_lines(p.srv, p.phone))
    p.b.click("[data-testid=stepup-send]")
    p.b.css("[data-testid=stepup-sent]")
    p.b.wait(lambda: len(verify_lines(p.srv, p.phone)) > before, what="the verify_code SMS")
    code = verify_lines(p.srv, p.phone)[-1]["params"]["code"]
    p.b.type("input[name=stepup]", code)
    p.b.click("[data-testid=stepup-confirm]")


def test_correcting_the_nickname_in_the_profile_is_recorded_without_the_value(staff_server,
                                                                             browser):
    p = person(browser, staff_server)
    p.b.open("/me/profile")
    p.b.type("input[name=nickname]", "王置业")
    p.b.click("[data-testid=save-profile]")
    p.b.css(".notice.ok")
    p.b.assert_accessible()
    p.b.open("/me")
    p.b.wait_text("王置业", "[data-testid=me-name]")
    audit = staff_server.get(f"/v1/admin/audit?subject_id={p.id}",
                             token=staff_server.token("auditor1")).json()["items"]
    assert [a["action"] for a in audit if a["action"] == "profile.correct"] == ["profile.correct"]
    assert "王置业" not in json.dumps(audit, ensure_ascii=False)
    p.b.assert_console_clean()


def test_devices_are_listed_and_removing_one_signs_it_out_at_once(staff_server, browser):
    p = person(browser, staff_server)
    other = browser(staff_server)
    sign_in(other, staff_server, p.phone)
    p.b.open("/me/devices")
    rows = p.b.wait(lambda: len(p.b.all(".device")) == 2 and p.b.all(".device"), what="two devices")
    assert sum("本机" in r.text for r in rows) == 1
    p.b.assert_accessible()
    p.b.css(".device button").click()
    p.b.wait(lambda: len(p.b.all(".device")) == 1, what="the device to go")
    # the removed browser is signed out live (its socket closes, its session is gone)
    other.css("input[name=phone]", timeout=20)
    other.wait_text("登录已失效")
    p.b.assert_console_clean()
    other.assert_console_clean(allow=[r"/v1/ws", r"/v1/me .* 401"])


def test_every_optional_consent_has_a_switch_with_what_it_is_for(staff_server, browser):
    p = person(browser, staff_server)
    p.b.open("/me/permissions")
    policy = staff_server.get("/v1/privacy/policy").json()
    optional = [s for s in policy["scopes"] if s["optional"]]
    p.b.wait(lambda: len(p.b.all("[data-scope]")) == len(optional), what="one switch per scope")
    for s in optional:
        card = p.b.find(f"[data-scope={s['id']}]")
        assert s["label_zh"] in card.text
        for c in policy["datamap"]:
            if c["consent"] == s["id"]:
                assert c["label_zh"] in card.text, (s["id"], c["id"])
    p.b.assert_accessible()
    p.b.click("[data-testid=scope-location]")
    p.b.wait(lambda: "已开启" in p.b.find("[data-scope=location]").text, what="location on")
    state = {c["scope"]: c for c in staff_server.get("/v1/me/consents", token=p.token).json()["items"]}
    assert state["location"]["granted_at"] and state["location"]["withdrawn_at"] is None
    p.b.click("[data-testid=scope-location]")
    p.b.wait(lambda: "未开启" in p.b.find("[data-scope=location]").text, what="location off")
    state = {c["scope"]: c for c in staff_server.get("/v1/me/consents", token=p.token).json()["items"]}
    assert state["location"]["withdrawn_at"] is not None
    p.b.assert_console_clean()


def test_a_staff_reveal_shows_in_my_access_log_with_its_reason(staff_server, browser):
    p = person(browser, staff_server)
    p.b.open("/me/access-log")
    p.b.css("[data-testid=access-empty]")
    reason = "用户来电核实退款事宜"
    r = staff_server.post(f"/v1/admin/users/{p.id}/reveal", token=staff_server.token("support1"),
                          json={"categories": ["phone"], "reason": reason})
    assert r.status_code == 200, r.text
    p.b.open("/me/access-log")
    p.b.wait_text(reason, "[data-testid=access-log]")
    text = p.b.text("[data-testid=access-log]")
    assert "support1" in text and "手机号码" in text
    p.b.assert_accessible()
    p.b.assert_console_clean()


def test_an_incident_notice_is_shown_to_the_affected_user(staff_server, browser):
    p = person(browser, staff_server)
    r = wlk(staff_server.data_dir, "incident", "notify", "--categories", "phone", "--cause",
            "测试事件原因", "--harm", "可能的影响", "--remedies", "补救措施", "--actions",
            "建议操作", "--contact", "400-620-6688", "--users", p.id, shared=True)
    assert r.returncode == 0, r.stderr
    p.b.open("/me/notices")
    p.b.wait_text("测试事件原因", "[data-testid=notices]")
    assert "手机号码" in p.b.text("[data-testid=incident]")
    p.b.assert_accessible()
    p.b.assert_console_clean()


def test_export_downloads_everything_held_about_me(staff_server, browser, tmp_path):
    p = person(browser, staff_server)
    p.b.d.execute_cdp_cmd("Browser.setDownloadBehavior",
                          {"behavior": "allow", "downloadPath": str(tmp_path)})
    p.b.open("/me/export")
    p.b.assert_accessible()
    step_up(p)
    p.b.css("[data-testid=export-done]")
    files = p.b.wait(lambda: [f for f in tmp_path.glob("*.json")], what="the downloaded file")
    data = json.loads(files[0].read_text())
    assert data["user_id"] == p.id
    assert data["categories"]["phone"]["records"]["phone"] == phone_digits(p.phone)
    assert set(data["categories"]) == {c["id"] for c in
                                        staff_server.get("/v1/privacy/policy").json()["datamap"]}
    p.b.assert_console_clean()


def test_a_wrong_step_up_code_is_refused_in_the_page(staff_server, browser):
    p = person(browser, staff_server)
    p.b.open("/me/export")
    p.b.type("input[name=stepup]", "000000")
    p.b.click("[data-testid=stepup-confirm]")
    p.b.css("[role=alert][data-error-code=verification_required]")
    p.b.assert_console_clean(allow=[r"/v1/me/export .* 401"])


def test_withdrawing_the_policy_leaves_only_the_way_back_and_restoring_it_serves_again(
        staff_server, browser):
    p = person(browser, staff_server)
    p.b.open("/me/withdraw")
    step_up(p)
    p.b.css("[data-testid=withdrawn]")
    for path in ("/", "/chat/1", "/me", "/me/devices"):
        p.b.open(path)
        p.b.css("[data-testid=withdrawn]")
        assert not p.b.all("[data-testid=new-chat]") and not p.b.all("nav.tabs")
    assert me_of(p.b)["policy"]["withdrawn"] is True
    p.b.assert_accessible()
    p.b.click("[data-testid=restore]")
    p.b.css(".device")                     # back on the page it was on, served again
    assert me_of(p.b)["policy"]["withdrawn"] is False
    p.b.open("/")
    p.b.css("[data-testid=new-chat]")
    p.b.assert_console_clean(allow=[r" 403"])


def test_cancellation_needs_its_code_and_shows_the_erasure_report(staff_server, browser):
    a, b = person(browser, staff_server), person(browser, staff_server)
    conv = open_chat_with(a.b, b.id)
    send_text(staff_server, b.token, conv, "注销前的对话")
    a.b.open("/me/cancel")
    a.b.assert_accessible()
    step_up(a)
    report = a.b.css("[data-testid=erasure-report]")
    assert "账号已注销" in report.text and "数据密钥已销毁" in report.text
    rows = a.b.all("[data-testid=erasure-report] tbody tr")
    assert len(rows) >= 5
    a.b.assert_accessible()
    a.b.click("[data-testid=cancel-done]")
    a.b.css("input[name=phone], [data-testid=agree]")
    # the peer keeps the conversation, from 已注销用户
    b.b.open("/")
    b.b.wait_text("已注销用户", f"[data-conv='{conv}']")
    assert phone_digits(a.phone).encode() not in db_file_bytes(staff_server)
    a.b.assert_console_clean(allow=[r"/v1/ws", r" 401"])


@pytest.mark.parametrize("material", [True, False], ids=["material", "wording-only"])
def test_a_policy_update_asks_again_only_when_material(make_server, browser, material):
    srv = make_server("--sms-interval", "0", "--sqlite-lock", "shared")
    p = person(browser, srv)
    flags = ["--material"] if material else []
    r = wlk(srv.data_dir, "policy", "publish", *flags, "--note", "新增接收方说明", "--force",
            shared=True)
    assert r.returncode == 0, r.stderr
    time.sleep(1.2)  # the gate's per-thread cache refreshes within a second
    p.b.open("/")
    if material:
        p.b.css("[data-testid=policy-update]")
        assert "新增接收方说明" in p.b.text("[data-testid=policy-update]")
        for path in ("/chat/1", "/me"):
            p.b.open(path)
            p.b.css("[data-testid=policy-update]")
        p.b.assert_accessible()
        p.b.click("[data-testid=accept-update]")
        p.b.css("[data-testid=logout]")        # the 我的 page it was on
        p.b.open("/")
        p.b.css("[data-testid=new-chat]")
        assert me_of(p.b)["policy"]["version"] == srv.policy_version()
    else:
        p.b.css("[data-testid=new-chat]")
        p.b.open("/me")
        p.b.wait_text("新增接收方说明", "[data-testid=policy-notice]")
    p.b.assert_console_clean(allow=[r" 403"])


def test_a_profile_picture_is_uploaded_and_shown_to_the_peer(staff_server, browser, tmp_path):
    from conftest import png_bytes
    a, b = person(browser, staff_server), person(browser, staff_server)
    conv = open_chat_with(b.b, a.id)
    f = tmp_path / "me.png"
    f.write_bytes(png_bytes())
    a.b.open("/me/profile")
    a.b.present("[data-testid=avatar-file]").send_keys(str(f))
    a.b.css("[data-testid=avatar-remove]")
    pic = me_of(a.b)["avatar_media_id"]
    assert pic
    b.b.open("/")
    img = b.b.css(f"[data-conv='{conv}'] .avatar img")
    assert img.get_attribute("src").endswith(f"/v1/media/{pic}")
    b.b.wait(lambda: b.b.js("return arguments[0].complete && arguments[0].naturalWidth", img) == 1,
             what="the peer's picture to load")
    a.b.click("[data-testid=avatar-remove]")
    a.b.wait(lambda: not a.b.all("[data-testid=avatar-remove]"), what="removed")
    assert me_of(a.b)["avatar_media_id"] is None
    for p in (a, b):
        p.b.assert_console_clean()
