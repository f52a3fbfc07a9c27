"""Voice and video calls between two browsers (issue 10, app 4): WebRTC
over the server's call signalling, with Chromium's fake camera and
microphone; the test asserts that media actually flows (the receiving
RTCPeerConnection reports bytes received), then decline, busy, timeout and
hang up."""
from browserkit import browser, open_chat_with, person  # noqa: F401
from conftest import full_history


def call_status(b):
    return b.find("[data-testid=call-status]").text


def bytes_received(b):
    return int(b.find("[data-testid=call-bytes]").get_attribute("data-bytes"))


def call_messages(srv, token, conv):
    return [m["body"] for m in full_history(srv, token, conv) if m["kind"] == "call"]


def setup_call(browser, srv):
    a, b = person(browser, srv), person(browser, srv)
    conv = open_chat_with(a.b, b.id)
    b.b.open("/")
    return a, b, conv


def test_a_video_call_between_two_browsers_carries_media_both_ways(shared_server, browser):
    a, b, conv = setup_call(browser, shared_server)
    a.b.click("[data-testid=call-video]")
    a.b.css("[data-testid=call][data-phase=outgoing]")
    b.b.css("[data-testid=call][data-phase=incoming]")
    a.b.wait(lambda: "响铃" in call_status(a.b), what="the callee's ringing")
    b.b.assert_accessible()
    b.b.click("[data-testid=call-accept]")
    for p in (a, b):
        p.b.css("[data-testid=call][data-phase=active]", timeout=20)
        # media flows: the receiving side counts the bytes of the peer's stream
        p.b.wait(lambda p=p: bytes_received(p.b) > 20000, 20, "bytes received")
    first = bytes_received(b.b)
    b.b.wait(lambda: bytes_received(b.b) > first, what="more bytes, still flowing")
    assert a.b.js("return document.querySelector('[data-testid=remote-video]').videoWidth") > 0
    a.b.click("[data-testid=call-hangup]")
    b.b.wait(lambda: "对方已挂断" in call_status(b.b), what="the hang-up on the other side")
    b.b.wait(lambda: not b.b.all("[data-testid=call]"), what="the call screen to go")
    [body] = call_messages(shared_server, a.token, conv)
    assert body["outcome"] == "answered" and body["duration_ms"] > 0
    for p in (a, b):
        p.b.assert_console_clean()


def test_declining_an_audio_call_tells_the_caller(shared_server, browser):
    a, b, conv = setup_call(browser, shared_server)
    a.b.click("[data-testid=call-audio]")
    b.b.css("[data-testid=call][data-phase=incoming]")
    assert "语音通话" in b.b.text("[data-testid=call]")
    b.b.click("[data-testid=call-reject]")
    a.b.wait(lambda: "对方已拒绝" in call_status(a.b), what="the refusal")
    assert call_messages(shared_server, a.token, conv)[0]["outcome"] == "rejected"
    for p in (a, b):
        p.b.assert_console_clean()


def test_a_callee_already_in_a_call_answers_busy(shared_server, browser):
    a, b, conv = setup_call(browser, shared_server)
    c = person(browser, shared_server)
    open_chat_with(c.b, b.id)
    a.b.click("[data-testid=call-audio]")
    b.b.click("[data-testid=call-accept]")
    b.b.css("[data-testid=call][data-phase=active]", timeout=20)
    c.b.click("[data-testid=call-audio]")
    c.b.wait(lambda: "对方忙" in call_status(c.b), what="busy")
    assert b.b.css("[data-testid=call]").get_attribute("data-phase") == "active", "not interrupted"
    a.b.click("[data-testid=call-hangup]")
    for p in (a, b, c):
        p.b.assert_console_clean()


def test_an_unanswered_call_times_out_on_both_sides(make_server, browser):
    srv = make_server("--sms-interval", "0", "--call-ring-timeout", "2")
    a, b, conv = setup_call(browser, srv)
    a.b.click("[data-testid=call-audio]")
    b.b.css("[data-testid=call][data-phase=incoming]")
    a.b.wait(lambda: "无人接听" in call_status(a.b), 15, "the timeout for the caller")
    b.b.wait(lambda: not b.b.all("[data-testid=call][data-phase=incoming]"), 15,
             "the ringing to stop")
    assert call_messages(srv, a.token, conv)[0]["outcome"] == "missed"
    for p in (a, b):
        p.b.assert_console_clean()


def test_the_caller_can_hang_up_before_an_answer(shared_server, browser):
    a, b, conv = setup_call(browser, shared_server)
    a.b.click("[data-testid=call-video]")
    b.b.css("[data-testid=call][data-phase=incoming]")
    a.b.click("[data-testid=call-hangup]")
    b.b.wait(lambda: not b.b.all("[data-testid=call][data-phase=incoming]"), what="ringing to stop")
    assert call_messages(shared_server, a.token, conv)[0]["outcome"] == "cancelled"
