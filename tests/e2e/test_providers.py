"""Outside services: the webhook SMS driver posts exactly what the local
sink would hold, signed with HMAC-SHA256; sign-in from a new device is
recorded as a security event."""
import hashlib
import hmac
import json
import threading

import engine
from http.server import BaseHTTPRequestHandler, HTTPServer

from conftest import new_phone


class _Receiver(BaseHTTPRequestHandler):
    got = []
    status = 200

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).got.append((dict(self.headers), body))
        self.send_response(type(self).status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *a):
        pass


def _receiver():
    class R(_Receiver):
        got = []
        status = 200

    httpd = HTTPServer(("127.0.0.1", 0), R)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, R


def _wait(pred, timeout=5.0):
    import time

    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.05)
    return False


def test_the_webhook_sms_driver_posts_the_message_signed(make_server):
    httpd, rec = _receiver()
    try:
        url = f"http://127.0.0.1:{httpd.server_address[1]}/sms"
        srv = make_server("--sms-driver", "webhook", "--sms-webhook-url", url,
                          "--webhook-secret", "s3cret")
        phone = new_phone()
        assert srv.post("/v1/auth/sms-code", json={"phone": phone}).status_code == 202
        assert _wait(lambda: rec.got), "the webhook received nothing"
        headers, body = rec.got[0]
        msg = json.loads(body)
        assert msg["to"] == "+86" + phone and msg["template"] == "login_code"
        assert set(msg) == {"to", "template", "params", "at"}
        want = hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
        assert headers["X-Wlk-Signature"] == "sha256=" + want
        assert not (srv.data_dir / "sink" / "sms.jsonl").exists()
        # the code that left through the webhook signs the user in
        v = srv.policy_version()
        r = srv.post("/v1/auth/login", json={"phone": phone, "code": msg["params"]["code"],
                                             "device": {"id": "w1"},
                                             "accept_policy_version": v})
        assert r.status_code == 200, r.text
    finally:
        httpd.shutdown()


def test_a_failing_webhook_is_retried_until_it_answers(make_server):
    httpd, rec = _receiver()
    rec.status = 503
    try:
        url = f"http://127.0.0.1:{httpd.server_address[1]}/sms"
        srv = make_server("--sms-driver", "webhook", "--sms-webhook-url", url)
        assert srv.post("/v1/auth/sms-code", json={"phone": new_phone()}).status_code == 202
        assert _wait(lambda: len(rec.got) >= 1)
        rec.status = 200
        assert _wait(lambda: len(rec.got) >= 2, timeout=8), "no retry after a failure"
        n = len(rec.got)
        assert not _wait(lambda: len(rec.got) > n, timeout=2.5), "delivered twice"
    finally:
        httpd.shutdown()


def test_a_sign_in_from_a_new_device_is_recorded_as_a_security_event(make_server):
    srv = make_server("--sms-interval", "0")
    phone = new_phone()
    srv.login(phone, device_id="first")
    srv.login(phone, device_id="first")
    srv.login(phone, device_id="second")
    srv.stop()
    db = engine.connect(srv.data_dir)
    kinds = [k for (k,) in db.execute("SELECT kind FROM security_events")]
    db.close()
    assert kinds == ["new_device_sign_in"]
