"""The web client's first visit and sign-in, in a real browser (issue 10,
app 1 and 2): the policy summary with the full text one tap away, 不同意
leading to browse-only with no loop of prompts (R6), and phone + code
sign-in with its countdown, rate limit and code errors."""
import time

from browserkit import agree_policy, browser, me_of, sign_in  # noqa: F401 (fixture)
from conftest import new_phone, wrong_code


def test_the_first_visit_shows_a_policy_summary_and_asks_to_agree(shared_server, browser):
    b = browser(shared_server).open("/")
    card = b.css("[aria-labelledby=welcome-title]")
    policy = shared_server.get("/v1/privacy/policy").json()
    text = card.text
    assert "隐私政策" in text and policy["version"] in text
    labels = {c["id"]: c["label_zh"] for c in policy["datamap"]}
    assert labels["phone"] in text and labels["chat_content"] in text
    # separate consents are named, not bundled: asked at the moment of use
    assert "首次使用时单独询问" in text and "位置信息" in text
    assert b.button("同意") and b.button("不同意")
    b.assert_accessible()
    b.assert_console_clean()


def test_the_full_policy_is_one_tap_away_and_is_the_published_text(shared_server, browser):
    b = browser(shared_server).open("/")
    b.css("a[href='/policy']").click()
    shown = b.css("[data-testid=policy-text]").text
    published = shared_server.get("/v1/privacy/policy").json()["text"]
    assert shown.split() == published.split()
    b.assert_accessible()
    b.d.back()
    b.css("[data-testid=agree]")
    b.assert_console_clean()


def test_refusing_the_policy_leaves_browse_only_mode_without_asking_again(shared_server, browser):
    b = browser(shared_server).open("/")
    b.click("[data-testid=refuse]")
    b.css("[data-testid=browse-only]")
    b.assert_accessible()
    # a reload, another route: still browsing, never the prompt again (R6)
    for path in ("/", "/chat/1", "/me"):
        b.open(path)
        b.css("[data-testid=browse-only]")
        assert not b.all("[data-testid=agree]")
    # nothing was collected: no account, no code asked, nothing stored
    assert b.js("return localStorage.getItem('wlk.signedIn')") is None
    assert b.js("return document.cookie") == ""
    # the person may still read the policy and change their mind
    b.click("[data-testid=reconsider]")
    agree_policy(b)
    b.assert_console_clean()


def test_sign_in_with_phone_and_code_creates_the_account_with_the_agreed_version(
        shared_server, browser):
    b = browser(shared_server)
    phone = new_phone()
    sign_in(b, shared_server, phone)
    me = me_of(b)
    assert me["phone_masked"] == phone[:3] + "****" + phone[-4:]
    assert me["policy"]["version"] == shared_server.policy_version()
    # the session is in an HttpOnly cookie: the page's scripts cannot read it
    assert "wlk_session" not in b.js("return document.cookie")
    cookies = b.d.execute_cdp_cmd("Network.getAllCookies", {})["cookies"]
    assert any(c["name"] == "wlk_session" and c["httpOnly"] and c["sameSite"] == "Strict"
               and c["path"] == "/v1" for c in cookies), cookies
    b.assert_accessible()
    b.assert_console_clean()


def test_the_code_button_counts_down_after_sending(shared_server, browser):
    b = browser(shared_server).open("/")
    agree_policy(b)
    b.type("input[name=phone]", new_phone())
    b.click("[data-testid=send-code]")
    b.css("[data-testid=code-sent]")
    btn = b.css("[data-testid=send-code]")
    b.wait(lambda: "秒后可重新获取" in btn.text, what="the countdown")
    first = int(btn.text.split()[0])
    time.sleep(1.3)
    assert int(btn.text.split()[0]) < first
    assert not btn.is_enabled()
    b.assert_console_clean()


def test_a_bad_phone_is_told_before_anything_is_sent(shared_server, browser):
    b = browser(shared_server).open("/")
    agree_policy(b)
    b.type("input[name=phone]", "12345")
    b.click("[data-testid=send-code]")
    err = b.css(".field .error")
    assert "手机号" in err.text
    assert b.find("input[name=phone]").get_attribute("aria-invalid") == "true"
    b.assert_console_clean()


def test_a_rate_limited_code_shows_the_wait_from_retry_after(make_server, browser):
    srv = make_server("--sms-interval", "60")
    phone = new_phone()
    assert srv.request_code(phone).status_code == 202
    b = browser(srv).open("/")
    agree_policy(b)
    b.type("input[name=phone]", phone)
    b.click("[data-testid=send-code]")
    alert = b.css("[role=alert][data-error-code=rate_limited]")
    assert "秒后重试" in alert.text
    wait = int("".join(ch for ch in alert.text.split("请在")[1] if ch.isdigit()))
    assert 50 <= wait <= 60
    assert "秒后可重新获取" in b.css("[data-testid=send-code]").text
    b.assert_console_clean(allow=[r"/v1/auth/sms-code .* 429"])


def test_wrong_and_exhausted_codes_get_the_error_tables_words(shared_server, browser):
    errors = {i["code"]: i["message_zh"] for i in shared_server.get("/v1/errors").json()["items"]}
    b = browser(shared_server).open("/")
    agree_policy(b)
    phone = new_phone()
    b.type("input[name=phone]", phone)
    b.click("[data-testid=send-code]")
    code = shared_server.read_sms(phone)
    for attempt in range(4):
        b.type("input[name=code]", wrong_code(code))
        b.click("[data-testid=login]")
        alert = b.css("[role=alert][data-error-code=invalid_code]")
        assert alert.text == errors["invalid_code"]
        b.js("document.querySelector('[role=alert]').remove()")
    b.type("input[name=code]", wrong_code(code))
    b.click("[data-testid=login]")
    assert b.css("[role=alert][data-error-code=too_many_attempts]").text.startswith(
        errors["too_many_attempts"])
    # that code is dead now, even the right one
    b.type("input[name=code]", code)
    b.click("[data-testid=login]")
    b.css("[role=alert][data-error-code=invalid_code]")
    b.assert_console_clean(allow=[r"/v1/auth/login .* (401|429)"])


def test_an_expired_code_is_told_as_such(make_server, browser):
    srv = make_server("--otp-ttl", "1", "--sms-interval", "0")
    b = browser(srv).open("/")
    agree_policy(b)
    phone = new_phone()
    b.type("input[name=phone]", phone)
    b.click("[data-testid=send-code]")
    code = srv.read_sms(phone)
    time.sleep(1.5)
    b.type("input[name=code]", code)
    b.click("[data-testid=login]")
    b.css("[role=alert][data-error-code=invalid_code]")
    b.assert_console_clean(allow=[r"/v1/auth/login .* 401"])


def test_the_pages_fit_a_360_px_phone_without_sideways_scrolling(shared_server, browser):
    b = browser(shared_server, width=360).open("/")
    b.css("[data-testid=agree]")
    assert b.js("return document.documentElement.scrollWidth") <= 360
    agree_policy(b)
    assert b.js("return document.documentElement.scrollWidth") <= 360


APP_PAGES = ["/", "/new", "/me", "/me/profile", "/me/devices", "/me/permissions",
             "/me/access-log", "/me/notices", "/me/rights", "/me/export", "/me/withdraw",
             "/me/cancel", "/me/requests", "/policy"]


def test_every_page_of_the_app_passes_axe_with_no_console_error(shared_server, browser):
    b = browser(shared_server).open("/")
    agree_policy(b)
    b.assert_accessible()          # the sign-in page
    sign_in(b, shared_server, new_phone(), first_visit=False)
    for path in APP_PAGES:
        b.open(path)
        b.css("h1")
        time.sleep(0.3)            # the page's data has arrived
        assert b.axe() == [], path
    b.assert_console_clean()


def test_signing_in_works_from_the_keyboard_alone(shared_server, browser):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys
    b = browser(shared_server).open("/")
    b.css("[data-testid=agree]")
    keys = ActionChains(b.d)
    # Tab to 同意 (the last control of the first screen) and press Enter
    for _ in range(12):
        keys.send_keys(Keys.TAB).perform()
        if b.js("return document.activeElement.dataset.testid") == "agree":
            break
    assert b.js("return document.activeElement.dataset.testid") == "agree"
    keys.send_keys(Keys.ENTER).perform()
    b.css("input[name=phone]")
    phone = new_phone()
    b.find("input[name=phone]").click()
    keys.send_keys(phone).send_keys(Keys.TAB).send_keys(Keys.TAB).perform()
    assert b.js("return document.activeElement.dataset.testid") == "send-code"
    keys.send_keys(Keys.ENTER).perform()
    code = shared_server.read_sms(phone)
    b.css("[data-testid=code-sent]")
    # the page moves the focus to the code field once the code is sent
    assert b.js("return document.activeElement.name") == "code"
    keys.send_keys(code).send_keys(Keys.ENTER).perform()   # Enter submits the form
    b.css("[data-testid=new-chat]")
    b.assert_console_clean()
