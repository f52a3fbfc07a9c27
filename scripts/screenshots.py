#!/usr/bin/python3
"""scripts/screenshots.py - the README's screenshots, made by driving the
real client in headless Chromium against a fresh `wlk serve` (never drawn
by hand): sign-in, chat, 我的 and the staff console, into docs/screenshots/.

Usage: scripts/screenshots.py   (needs build/wlk and the test packages:
scripts/deps.sh --test)"""
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "e2e"))
os.environ.setdefault("WLK_BIN", str(REPO / "build" / "wlk"))

from browserkit import Browser, agree_policy, open_chat_with, sign_in, type_and_send  # noqa: E402
from conftest import Server, new_phone, send_text  # noqa: E402
from staffkit import PASSWORD, add_staff  # noqa: E402

OUT = REPO / "docs" / "screenshots"


def shot(b, name):
    time.sleep(0.4)  # let the last frame paint
    b.d.save_screenshot(str(OUT / f"{name}.png"))
    print(f"docs/screenshots/{name}.png")


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    base = Path(tempfile.mkdtemp(prefix="wlk-shots-"))
    srv = Server(base, ("--sms-interval", "0", "--sqlite-lock", "shared"))
    srv.data_dir.mkdir(parents=True)
    add_staff(srv.data_dir, "support1", "support")
    srv.start()
    buyer = Browser(srv.url(""))
    agent = Browser(srv.url(""))
    staff = Browser(srv.url(""), width=1280, height=800)
    try:
        buyer.open("/")
        buyer.css("[data-testid=agree]")
        shot(buyer, "1-first-visit")
        agree_policy(buyer)
        pa = new_phone()
        buyer.type("input[name=phone]", pa)
        buyer.click("[data-testid=send-code]")
        buyer.css("[data-testid=code-sent]")
        shot(buyer, "2-sign-in")
        buyer.type("input[name=code]", srv.read_sms(pa))
        buyer.click("[data-testid=login]")
        buyer.css("[data-testid=new-chat]")

        pb = new_phone()
        sign_in(agent, srv, pb)
        agent.open("/me/profile")
        agent.type("input[name=nickname]", "置业顾问·王经理")
        agent.find("select").send_keys("置业顾问")
        agent.click("[data-testid=save-profile]")
        agent.css(".notice.ok")
        agent_token, j = srv.login(pb, device_id="shots")
        conv = open_chat_with(buyer, j["user"]["id"])
        type_and_send(buyer, "您好，滨江壹号还有三房吗？")
        time.sleep(0.5)
        send_text(srv, agent_token, conv, "您好！还有两套 128㎡ 的三房，朝南，周末可以来看房。")
        buyer.click("[data-testid=attach]")
        buyer.click("[data-testid=send-property]")
        buyer.type("dialog input[maxlength='60']", "滨江壹号")
        buyer.type("dialog input[inputmode=numeric]", "52000")
        buyer.click("[data-testid=property-send]")
        type_and_send(buyer, "好的，周六上午方便吗？")
        buyer.wait_text("周六上午", "[data-testid=messages]")
        shot(buyer, "3-chat")

        buyer.open("/me")
        buyer.css("[data-testid=logout]")
        shot(buyer, "4-me")

        staff.open("/staff/")
        staff.type("input[name=name]", "support1")
        staff.type("input[name=password]", PASSWORD)
        staff.click("[data-testid=staff-login]")
        staff.css("[data-testid=staff-me]")
        staff.open("/staff/users")
        staff.type("input[name=lookup-phone]", pa)
        staff.type("input[name=lookup-reason]", "用户来电咨询看房预约")
        staff.click("[data-testid=lookup]")
        staff.css("[data-testid=user-masked]")
        shot(staff, "5-staff-console")
    finally:
        for b in (buyer, agent, staff):
            b.quit()
        srv.stop()


if __name__ == "__main__":
    main()
