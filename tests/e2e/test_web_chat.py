"""微聊 in a real browser (issue 10, app 3): two people chatting live, two
tabs and two devices of one account in step, pending -> sent -> read,
failed sends resent with the same client id, recall, history paged by
scrolling up, reconnecting after the network drops with an exact sync from
the cursor, and a full resync after 410 cursor_expired."""
import subprocess
import time

import pytest

import engine

from browserkit import (Person, bubble_texts, bubbles, browser, open_chat_with, person,  # noqa: F401
                        sign_in, type_and_send)
from conftest import WLK_BIN, _clean_env, full_history, send_text
from netcut import NetCut


# what a browser logs while its network is cut (the test cuts it)
OUTAGE = [r"/v1/ws", r"net::ERR_"]


def chat_pair(browser, srv):
    a, b = person(browser, srv), person(browser, srv)
    conv = open_chat_with(a.b, b.id)
    return a, b, conv


def wait_state(p, text, state, timeout=10):
    """Waits for a message of mine to reach state ("sent" also accepts
    "read": the peer may have it open)."""
    ok = ("sent", "read") if state == "sent" else (state,)
    p.b.wait(lambda: any(m["text"] == text and m["state"] in ok for m in bubbles(p.b)),
             timeout, f"{text!r} to be {state}")


def test_two_people_chat_live_with_unread_counts_previews_and_read_receipts(shared_server, browser):
    a, b, conv = chat_pair(browser, shared_server)
    b.b.open("/")
    type_and_send(a.b, "你好，我想了解一下楼盘")
    wait_state(a, "你好，我想了解一下楼盘", "sent")
    # B's list shows it live: preview and an unread count
    item = b.b.css(f"[data-conv='{conv}']")
    b.b.wait(lambda: "你好，我想了解一下楼盘" in item.text, what="the preview")
    assert b.b.css(f"[data-conv='{conv}'] [data-testid=unread]").text == "1"
    b.b.assert_accessible()
    item.click()
    b.b.wait_text("你好，我想了解一下楼盘", "[data-testid=messages]")
    # reading it shows as 已读 on A's side, live
    wait_state(a, "你好，我想了解一下楼盘", "read")
    type_and_send(b.b, "您好！我是置业顾问小王")
    a.b.wait_text("您好！我是置业顾问小王", "[data-testid=messages]")
    assert bubble_texts(a.b) == ["你好，我想了解一下楼盘", "您好！我是置业顾问小王"]
    assert not b.b.all(f"[data-conv='{conv}'] [data-testid=unread]")
    a.b.assert_accessible()
    for p in (a, b):
        p.b.assert_console_clean()


def test_one_account_in_two_tabs_and_on_two_devices_stays_in_step(shared_server, browser):
    a, b, conv = chat_pair(browser, shared_server)
    tab1 = a.b.d.current_window_handle
    tab2 = a.b.new_tab(f"/chat/{conv}")
    a.b.css("[data-testid=composer]")
    other = browser(shared_server)              # a second device of the same account
    sign_in(other, shared_server, a.phone)
    other.open(f"/chat/{conv}")
    other.css("[data-testid=composer]")
    a.b.switch(tab1)
    type_and_send(a.b, "从第一个标签页发送")
    a.b.switch(tab2)
    a.b.wait_text("从第一个标签页发送", "[data-testid=messages]")
    m = bubbles(a.b)[-1]
    assert m["state"] in ("sent", "read"), "shown as my own message, sent"
    other.wait_text("从第一个标签页发送", "[data-testid=messages]")
    # the peer answers: every copy of the account shows it once
    send_text(shared_server, b.token, conv, "三处都能看到")
    for drv, handle in ((a.b, tab1), (a.b, tab2), (other, None)):
        if handle:
            drv.switch(handle)
        drv.wait_text("三处都能看到", "[data-testid=messages]")
        assert bubble_texts(drv).count("三处都能看到") == 1
    # reading on one device clears the unread count on the others
    a.b.switch(tab2)
    a.b.open("/")
    a.b.switch(tab1)
    a.b.open("/")
    other.open("/")
    other.css(f"[data-conv='{conv}']")
    send_text(shared_server, b.token, conv, "未读提醒")
    a.b.wait(lambda: a.b.all(f"[data-conv='{conv}'] [data-testid=unread]"), what="unread on device 1")
    other.css(f"[data-conv='{conv}']").click()
    other.wait_text("未读提醒", "[data-testid=messages]")   # read on device 2
    a.b.wait(lambda: not a.b.all(f"[data-conv='{conv}'] [data-testid=unread]"),
             what="the unread count cleared by device 2")
    for drv in (a.b, other, b.b):
        drv.assert_console_clean()


def test_a_failed_send_is_shown_and_resent_with_the_same_client_id(make_server, browser):
    srv = make_server("--sms-interval", "0")
    cut = NetCut(srv.port)
    try:
        b = person(browser, srv)
        a = person(browser, srv, base_url=cut.url())
        conv = open_chat_with(a.b, b.id)
        cut.cut()
        type_and_send(a.b, "网络断开时发送")
        a.b.css("[data-testid=offline]")
        wait_state(a, "网络断开时发送", "pending", 3)
        wait_state(a, "网络断开时发送", "failed", 20)
        client = bubbles(a.b)[-1]["client"]
        cut.restore()
        a.b.wait(lambda: not a.b.all("[data-testid=offline]"), 20, "the link to come back")
        a.b.css("[data-testid=resend]").click()
        wait_state(a, "网络断开时发送", "sent")
        assert bubbles(a.b)[-1]["client"] == client
        stored = [m for m in full_history(srv, b.token, conv) if m["kind"] == "text"]
        assert [(m["body"]["text"], m["client_id"]) for m in stored] == [("网络断开时发送", client)]
        assert bubble_texts(a.b).count("网络断开时发送") == 1
        a.b.assert_console_clean(allow=OUTAGE)
    finally:
        cut.close()


def test_a_send_queued_while_offline_goes_out_once_when_the_network_returns(make_server, browser):
    srv = make_server("--sms-interval", "0")
    cut = NetCut(srv.port)
    try:
        b = person(browser, srv)
        a = person(browser, srv, base_url=cut.url())
        conv = open_chat_with(a.b, b.id)
        cut.cut()
        a.b.css("[data-testid=offline]")
        type_and_send(a.b, "排队等待发送")
        wait_state(a, "排队等待发送", "pending", 3)
        cut.restore()
        wait_state(a, "排队等待发送", "sent", 20)
        stored = [m["body"]["text"] for m in full_history(srv, b.token, conv)]
        assert stored == ["排队等待发送"]
    finally:
        cut.close()


def test_a_message_can_be_recalled_and_both_sides_see_the_tombstone(shared_server, browser):
    a, b, conv = chat_pair(browser, shared_server)
    b.b.open(f"/chat/{conv}")
    type_and_send(a.b, "这条要撤回")
    wait_state(a, "这条要撤回", "sent")
    b.b.wait_text("这条要撤回", "[data-testid=messages]")
    a.b.css("[data-testid=recall]").click()
    a.b.wait_text("你撤回了一条消息", "[data-testid=messages]")
    b.b.wait_text("对方撤回了一条消息", "[data-testid=messages]")
    assert "这条要撤回" not in a.b.text("[data-testid=messages]")
    assert "这条要撤回" not in b.b.text("[data-testid=messages]")
    for p in (a, b):
        p.b.assert_console_clean()


def test_recalling_after_the_window_is_refused_with_the_servers_reason(make_server, browser):
    srv = make_server("--sms-interval", "0", "--recall-window", "1")
    a, b, conv = chat_pair(browser, srv)
    type_and_send(a.b, "太晚了")
    wait_state(a, "太晚了", "sent")
    time.sleep(1.5)
    a.b.css("[data-testid=recall]").click()
    errors = {i["code"]: i["message_zh"] for i in srv.get("/v1/errors").json()["items"]}
    a.b.wait_text(errors["recall_window_passed"], "[data-testid=messages]")
    assert "太晚了" in bubble_texts(a.b)
    a.b.assert_console_clean(allow=[r"/recall .* 409"])


def test_history_is_paged_by_scrolling_up(shared_server, browser):
    a, b, conv = chat_pair(browser, shared_server)
    sent = [send_text(shared_server, b.token, conv, f"第{i:02d}条")["body"]["text"] for i in range(75)]
    a.b.open(f"/chat/{conv}")
    a.b.wait(lambda: bubble_texts(a.b)[-1:] == [sent[-1]], what="the newest message")
    assert len(bubbles(a.b)) == 30, "one page first"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if bubble_texts(a.b) == sent:
            break
        a.b.js("document.querySelector('.messages').scrollTop = 0;"
               "document.querySelector('.messages').dispatchEvent(new Event('scroll'))")
        time.sleep(0.4)
    assert bubble_texts(a.b) == sent, "every message once, in order"
    a.b.wait_text("以上是全部消息", ".messages")
    a.b.assert_console_clean()


def route_count(srv, route):
    return sum(1 for o in srv.log_lines() if o.get("msg") == "request" and o.get("route") == route)


def test_after_the_network_drops_the_client_syncs_exactly_from_its_cursor(make_server, browser):
    srv = make_server("--sms-interval", "0")
    cut = NetCut(srv.port)
    try:
        b = person(browser, srv)
        a = person(browser, srv, base_url=cut.url())
        conv = open_chat_with(a.b, b.id)
        send_text(srv, b.token, conv, "断网前")
        a.b.wait_text("断网前", "[data-testid=messages]")
        lists = route_count(srv, "/v1/conversations")
        cut.cut()
        a.b.css("[data-testid=offline]")
        missed = [send_text(srv, b.token, conv, f"断网期间{i}") for i in range(5)]
        r = srv.post(f"/v1/messages/{missed[2]['id']}/recall", token=b.token)
        assert r.status_code == 200
        cut.restore()
        a.b.wait(lambda: not a.b.all("[data-testid=offline]"), 20, "the link to come back")
        want = ["断网前", "断网期间0", "断网期间1", "对方撤回了一条消息", "断网期间3", "断网期间4"]
        a.b.wait(lambda: bubble_texts(a.b) == want, what=f"exactly {want}")
        assert route_count(srv, "/v1/conversations") == lists, "caught up from the cursor, no reload"
        a.b.assert_console_clean(allow=OUTAGE)
    finally:
        cut.close()


def test_an_expired_cursor_makes_a_full_resync_never_a_partial_view(make_server, browser):
    srv = make_server("--sms-interval", "0", "--sqlite-lock", "shared", "--event-retention-days", "1")
    cut = NetCut(srv.port)
    try:
        b = person(browser, srv)
        a = person(browser, srv, base_url=cut.url())
        conv = open_chat_with(a.b, b.id)
        send_text(srv, b.token, conv, "旧消息")
        a.b.wait_text("旧消息", "[data-testid=messages]")
        lists = route_count(srv, "/v1/conversations")
        cut.cut()
        a.b.css("[data-testid=offline]")
        send_text(srv, b.token, conv, "过期期间的消息")
        # two days later every event of the stream is past its retention
        p = subprocess.run(engine.with_database([
                               WLK_BIN, "purge", "--now", "+2d", "--event-retention-days", "1",
                               "--data-dir", str(srv.data_dir), "--sqlite-lock", "shared"]),
                           capture_output=True, text=True,
                           env=_clean_env({}), timeout=60)
        assert p.returncode == 0, p.stderr
        cut.restore()
        a.b.wait(lambda: route_count(srv, "/v1/conversations") > lists, 20, "a full reload")
        a.b.wait(lambda: bubble_texts(a.b) == ["旧消息", "过期期间的消息"], what="the whole history")
        a.b.assert_console_clean(allow=OUTAGE)
    finally:
        cut.close()


def test_a_page_of_another_origin_cannot_write_with_the_session_cookie(shared_server, browser):
    """127.0.0.1 on another port is the same site, so the SameSite=Strict
    cookie goes along; the origin check is what refuses the write."""
    import http.server
    import threading

    class Evil(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            page = (f'<form id=f method=post action="{shared_server.url("/v1/auth/logout")}"></form>'
                    '<script>document.getElementById("f").submit()</script>').encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *a):
            pass

    # threaded: Chromium preconnects idle sockets that would hold up a one-at-a-time server
    evil = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Evil)
    threading.Thread(target=evil.serve_forever, daemon=True).start()
    try:
        a = person(browser, shared_server)
        before = route_count(shared_server, "/v1/auth/logout")
        a.b.d.get(f"http://127.0.0.1:{evil.server_address[1]}/")
        a.b.wait(lambda: route_count(shared_server, "/v1/auth/logout") > before, what="the forged post")
        logouts = [o for o in shared_server.log_lines() if o.get("route") == "/v1/auth/logout"]
        assert logouts[-1]["status"] == 403
        a.b.open("/me")
        a.b.css("[data-testid=logout]")   # still signed in
    finally:
        evil.shutdown()
