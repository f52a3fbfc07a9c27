"""The web client in current Firefox too (issue 10, "works in current
Chromium and Firefox"): Debian's firefox-esr signs a phone in through the
pages, chats live with a peer, and opens the staff console, with nothing
logged as an error."""
import pytest

from conftest import new_phone, send_text
from firefoxkit import Firefox

SET = """((sel, v) => { const e = document.querySelector(sel); e.value = v;
  e.dispatchEvent(new Event('input', {bubbles: true})); return true; })"""


@pytest.fixture
def firefox(shared_server):
    ff = Firefox(shared_server.url(""))
    yield ff
    ff.quit()


def test_firefox_signs_in_and_chats_live(shared_server, firefox):
    ff, srv = firefox, shared_server
    ff.open("/")
    ff.wait("document.querySelector('[data-testid=agree]')", what="the first-visit screen")
    ff.js("document.querySelector('[data-testid=agree]').click()")
    ff.wait("document.querySelector('input[name=phone]')")
    phone = new_phone()
    ff.js(f"{SET}('input[name=phone]', '{phone}')")
    ff.js("document.querySelector('[data-testid=send-code]').click()")
    code = srv.read_sms(phone)
    ff.js(f"{SET}('input[name=code]', '{code}')")
    ff.js("document.querySelector('[data-testid=login]').click()")
    ff.wait("document.querySelector('[data-testid=new-chat]')", what="the conversation list")
    peer_token, j = srv.login(new_phone(), device_id="peer")
    ff.open(f"/u/{j['user']['id']}")
    ff.wait("document.querySelector('[data-testid=composer]')", what="the chat view")
    ff.js(f"{SET}('[data-testid=composer]', '火狐里发的消息')")
    ff.js("document.querySelector('[data-testid=send]').click()")
    ff.wait("[...document.querySelectorAll('[data-testid=messages] > li')].some(li => "
            "li.innerText.includes('火狐里发的消息') && ['sent','read'].includes(li.dataset.state))",
            what="the message sent")
    conv = ff.js("location.pathname.split('/').pop()")
    send_text(srv, peer_token, conv, "对方的回复")
    ff.wait("document.querySelector('[data-testid=messages]').innerText.includes('对方的回复')",
            what="the live reply")
    assert not ff.errors(), ff.errors()


def test_firefox_opens_the_staff_console(shared_server, firefox):
    firefox.open("/staff/")
    firefox.wait("document.querySelector('input[name=password]')", what="the staff sign-in")
    assert not firefox.errors(), firefox.errors()
