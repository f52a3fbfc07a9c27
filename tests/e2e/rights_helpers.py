"""Helpers for the rights tests (test_rights_*.py): the identity-check code
sent to the account's own phone, export and cancellation calls."""
import time
import uuid

from conftest import (current_device_id, grant_consent, new_phone, open_conversation, post_message,
                      send_text, set_push_token)


def verify_lines(srv, phone):
    return [o for o in srv.sms_lines(phone) if o.get("template") == "verify_code"]


def step_up_code(srv, token, phone, timeout=5.0):
    """POST /v1/me/sms-code (asserting 202) and the code from the SMS that
    reached the account's phone."""
    before = len(verify_lines(srv, phone))
    r = srv.post("/v1/me/sms-code", token=token)
    assert r.status_code == 202, f"sms-code: {r.status_code} {r.content[:300]!r}"
    assert isinstance(r.json().get("expires_in"), int)
    deadline = time.monotonic() + timeout
    while True:
        lines = verify_lines(srv, phone)
        if len(lines) > before:
            return lines[-1]["params"]["code"]
        assert time.monotonic() < deadline, "no verify_code SMS"
        time.sleep(0.02)


def export(srv, token, phone):
    code = step_up_code(srv, token, phone)
    r = srv.post("/v1/me/export", token=token, json={"code": code})
    assert r.status_code == 200, f"export: {r.status_code} {r.content[:300]!r}"
    return r


def cancel(srv, token, phone):
    code = step_up_code(srv, token, phone)
    r = srv.post("/v1/me/cancel", token=token, json={"code": code})
    assert r.status_code == 200, f"cancel: {r.status_code} {r.content[:300]!r}"
    return r.json()


def withdraw_policy(srv, token, phone):
    code = step_up_code(srv, token, phone)
    r = srv.delete("/v1/me/consents/policy", token=token, json={"code": code})
    assert r.status_code == 204, f"withdraw: {r.status_code} {r.content[:300]!r}"


# ------------------------------------------------------------- canaries

def canary(tag):
    """A distinctive value (ASCII, so it can be searched in raw bytes)."""
    return f"cny{tag}{uuid.uuid4().hex[:12]}"


class Planted:
    """A user with a canary in every field a user can fill through the API,
    in a conversation with `peer`. `values` lists them all; `peer_texts`
    are the peer's messages to this user."""

    def __init__(self, srv, tag, peer=None):
        self.srv = srv
        self.device_name = canary(tag + "dev")
        self.nickname = canary(tag + "nick")
        self.phone = new_phone()
        self.token, _ = srv.login(self.phone, device_id="dev-1", name=self.device_name)
        r = srv.patch("/v1/me", token=self.token, json={"nickname": self.nickname})
        assert r.status_code == 200, r.content[:300]
        self.id = r.json()["id"]
        self.device_id = current_device_id(srv, self.token)
        self.push_token = set_push_token(srv, self.token, self.device_id,
                                         push_token=canary(tag + "push"))
        self.values = [self.device_name, self.nickname, self.push_token]
        self.texts = []

    def chat_with(self, other, cid=None):
        """Text, location and property messages to other, each with canaries."""
        srv = self.srv
        cid = cid or open_conversation(srv, self.token, other.id)["id"]
        text = canary("txt")
        send_text(srv, self.token, cid, text)
        grant_consent(srv, self.token, "location")
        loc = {"lat": 31.2304, "lng": 121.4737, "name": canary("locname"),
               "address": canary("locaddr")}
        r = post_message(srv, self.token, cid, "location", loc)
        assert r.status_code == 201, r.content[:300]
        prop = {"development": canary("prop"), "price": canary("price")}
        r = post_message(srv, self.token, cid, "property", prop)
        assert r.status_code == 201, r.content[:300]
        self.texts += [text, loc["name"], loc["address"], prop["development"], prop["price"]]
        return cid

    @property
    def all_values(self):
        return self.values + self.texts
