"""Browser sign-in (issue 10): sessions in an HttpOnly, SameSite=Strict
cookie, writes that ride it refused from other origins, bearer tokens as
before, and the local SMS driver's code on the terminal of a person trying
wlk (never in the log)."""
import http.server
import json
import threading
import time

import pytest

from conftest import (assert_error, eventually, masked, new_phone, new_session, read_jsonl,
                      ws_url)

EVIL = "http://evil.example"


def origin(srv):
    return f"http://127.0.0.1:{srv.port}"


def cookie_login(srv, phone=None, headers=None, s=None):
    """Sign in as the web client does; returns (session with the cookie, response)."""
    phone = phone or new_phone()
    s = s or new_session()
    code = srv.send_code(phone, s=s)
    body = srv.login_body(phone, code, "web-1", "Chromium", "web", srv.policy_version(s=s))
    body["cookie"] = True
    h = {"Origin": origin(srv)} if headers is None else headers
    r = srv.post("/v1/auth/login", s=s, json=body, headers=h)
    return s, r


def set_cookie_attrs(r, name):
    """The attributes of the Set-Cookie for name: {"value", "path", ...}."""
    raw = r.headers.get("Set-Cookie")
    assert raw, f"no Set-Cookie: {dict(r.headers)}"
    parts = [p.strip() for p in raw.split(";")]
    k, _, v = parts[0].partition("=")
    assert k == name, raw
    attrs = {"value": v}
    for p in parts[1:]:
        a, _, b = p.partition("=")
        attrs[a.lower()] = b if b else True
    return attrs


def test_browser_sign_in_sets_an_httponly_samesite_strict_cookie_and_answers_no_token(
        shared_server):
    s, r = cookie_login(shared_server)
    assert r.status_code == 200, r.text
    j = r.json()
    assert "token" not in j and j["new_user"] is True
    c = set_cookie_attrs(r, "wlk_session")
    assert c["httponly"] is True and c["samesite"] == "Strict" and c["path"] == "/v1"
    assert "secure" not in c, "plain HTTP without a trusted proxy: no Secure"
    assert int(c["max-age"]) == 30 * 86400
    assert len(c["value"]) >= 32
    assert s.get(shared_server.url("/v1/me")).status_code == 200


def test_the_cookie_session_answers_reads_and_same_origin_writes(shared_server):
    s, _ = cookie_login(shared_server)
    r = s.patch(shared_server.url("/v1/me"), json={"nickname": "网页"},
                headers={"Origin": origin(shared_server)})
    assert r.status_code == 200 and r.json()["nickname"] == "网页"
    r = s.patch(shared_server.url("/v1/me"), json={"nickname": "网页二"},
                headers={"Sec-Fetch-Site": "same-origin"})
    assert r.status_code == 200 and r.json()["nickname"] == "网页二"


@pytest.mark.parametrize("headers", [
    {"Origin": EVIL},
    {"Origin": "null"},
    {"Origin": "https://127.0.0.1"},
    {},
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site"},
], ids=["evil", "null", "other-scheme-and-port", "no-origin", "cross-site", "same-site"])
def test_a_cross_origin_write_with_the_cookie_is_refused(shared_server, headers):
    s, _ = cookie_login(shared_server)
    assert s.patch(shared_server.url("/v1/me"), json={"nickname": "before"},
                   headers={"Origin": origin(shared_server)}).status_code == 200
    for method, path, body in (("PATCH", "/v1/me", {"nickname": "hijacked"}),
                               ("POST", "/v1/conversations", {"peer_id": "1"}),
                               ("DELETE", "/v1/me/consents/location", None),
                               ("POST", "/v1/auth/logout", None)):
        r = s.request(method, shared_server.url(path), json=body, headers=headers)
        assert_error(r, 403, "cross_origin")
    me = s.get(shared_server.url("/v1/me"))
    assert me.status_code == 200 and me.json()["nickname"] == "before", "nothing changed"


def test_sign_in_from_another_origin_is_refused_and_leaves_the_code_usable(shared_server):
    phone = new_phone()
    s = new_session()
    code = shared_server.send_code(phone, s=s)
    body = shared_server.login_body(phone, code, "web-1", None, None,
                                    shared_server.policy_version(s=s))
    body["cookie"] = True
    r = shared_server.post("/v1/auth/login", s=s, json=body, headers={"Origin": EVIL})
    assert_error(r, 403, "cross_origin")
    assert "Set-Cookie" not in r.headers
    r = shared_server.post("/v1/auth/login", s=s, json=body,
                           headers={"Origin": origin(shared_server)})
    assert r.status_code == 200, r.text


def test_other_origins_cannot_make_us_send_codes(shared_server):
    r = shared_server.post("/v1/auth/sms-code", json={"phone": new_phone()},
                           headers={"Origin": EVIL})
    assert_error(r, 403, "cross_origin")


def test_bearer_tokens_keep_working_for_api_clients(shared_server):
    token, j, _ = shared_server.new_user()
    assert isinstance(token, str) and token
    r = shared_server.patch("/v1/me", token=token, json={"nickname": "api"},
                            headers={"Origin": EVIL})
    assert r.status_code == 200, "a bearer header is no ambient credential: no origin check"


def test_reads_with_the_cookie_need_no_origin(shared_server):
    s, _ = cookie_login(shared_server)
    assert s.get(shared_server.url("/v1/me/devices"), headers={"Origin": EVIL}).status_code == 200


def test_sign_out_clears_the_cookie_and_ends_the_session(shared_server):
    s, r = cookie_login(shared_server)
    value = set_cookie_attrs(r, "wlk_session")["value"]
    r = s.post(shared_server.url("/v1/auth/logout"), headers={"Origin": origin(shared_server)})
    assert r.status_code == 204
    c = set_cookie_attrs(r, "wlk_session")
    assert c["value"] == "" and c["max-age"] == "0"
    stale = new_session()
    stale.cookies.set("wlk_session", value)
    assert_error(stale.get(shared_server.url("/v1/me")), 401, "unauthorized")


def test_the_cookie_is_secure_behind_a_trusted_tls_proxy(make_server):
    srv = make_server("--trusted-proxy", "127.0.0.1", "--sms-interval", "0")
    _, r = cookie_login(srv, headers={"Origin": f"https://127.0.0.1:{srv.port}",
                                      "X-Forwarded-Proto": "https"})
    assert r.status_code == 200, r.text
    assert set_cookie_attrs(r, "wlk_session")["secure"] is True
    page = srv.get("/", headers={"X-Forwarded-Proto": "https"})
    assert f"wss://127.0.0.1:{srv.port}" in page.headers["Content-Security-Policy"]


def test_forwarded_proto_from_an_untrusted_peer_is_ignored(shared_server):
    _, r = cookie_login(shared_server, headers={"Origin": origin(shared_server),
                                                "X-Forwarded-Proto": "https"})
    assert r.status_code == 200
    assert "secure" not in set_cookie_attrs(r, "wlk_session")
    _, r = cookie_login(shared_server, headers={"Origin": f"https://127.0.0.1:{shared_server.port}",
                                                "X-Forwarded-Proto": "https"})
    assert_error(r, 403, "cross_origin")


def test_the_websocket_takes_the_cookie_only_from_our_origin(shared_server):
    import websocket
    s, _ = cookie_login(shared_server)
    cookie = "wlk_session=" + s.cookies.get("wlk_session")
    ws = websocket.create_connection(ws_url(shared_server), timeout=5, cookie=cookie,
                                     origin=origin(shared_server),
                                     http_no_proxy=["127.0.0.1"])
    assert json.loads(ws.recv())["type"] == "hello"
    ws.close()
    with pytest.raises(websocket.WebSocketBadStatusException) as e:
        websocket.create_connection(ws_url(shared_server), timeout=5, cookie=cookie, origin=EVIL,
                                    http_no_proxy=["127.0.0.1"])
    assert e.value.status_code == 403
    with pytest.raises(websocket.WebSocketBadStatusException) as e:
        websocket.create_connection(ws_url(shared_server), timeout=5, cookie=cookie,
                                    suppress_origin=True, http_no_proxy=["127.0.0.1"])
    assert e.value.status_code == 403


def test_staff_sign_in_by_cookie_is_scoped_to_the_staff_api(make_server):
    from staffkit import PASSWORD, add_staff
    srv = make_server("--sqlite-lock", "shared")
    add_staff(srv.data_dir, "admin1", "admin", shared=True)
    s = new_session()
    r = srv.post("/v1/admin/login", s=s, json={"name": "admin1", "password": PASSWORD,
                                               "cookie": True},
                 headers={"Origin": origin(srv)})
    assert r.status_code == 200, r.text
    assert "token" not in r.json() and r.json()["role"] == "admin"
    c = set_cookie_attrs(r, "wlk_staff")
    assert c["path"] == "/v1/admin" and c["httponly"] is True and c["samesite"] == "Strict"
    assert "max-age" not in c, "a staff cookie ends with the browser session"
    assert s.get(srv.url("/v1/admin/staff")).status_code == 200
    assert_error(s.get(srv.url("/v1/me"), cookies={"wlk_session": c["value"]}), 401,
                 "unauthorized")
    r = s.post(srv.url("/v1/admin/logout"), headers={"Origin": EVIL})
    assert_error(r, 403, "cross_origin")
    r = s.post(srv.url("/v1/admin/logout"), headers={"Origin": origin(srv)})
    assert r.status_code == 204 and set_cookie_attrs(r, "wlk_staff")["max-age"] == "0"


# ------------------------------------------------ the code on the terminal

def test_the_local_sms_driver_prints_the_masked_phone_and_code_on_the_terminal(make_server):
    srv = make_server("--sms-interval", "0", tty=True)
    phone = new_phone()
    code = srv.send_code(phone)
    line = eventually(lambda: next((ln for ln in srv.terminal_text().splitlines()
                                    if code in ln), None))
    assert line, f"no code on the terminal: {srv.terminal_text()!r}"
    assert masked(phone) in line and phone not in line
    time.sleep(0.3)
    assert code not in srv.log_text(), "the code is for the terminal, never the log"
    assert phone not in srv.log_text() and masked(phone) not in srv.log_text()


def test_no_code_is_printed_when_stdout_is_not_a_terminal(make_server):
    srv = make_server("--sms-interval", "0")
    code = srv.send_code(new_phone())
    time.sleep(0.3)
    assert code not in srv.log_text()


class _Hook(http.server.BaseHTTPRequestHandler):
    got = []

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        _Hook.got.append(json.loads(self.rfile.read(n)))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *a):
        pass


def test_the_webhook_sms_driver_prints_nothing(make_server):
    hook = http.server.HTTPServer(("127.0.0.1", 0), _Hook)
    threading.Thread(target=hook.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{hook.server_address[1]}/sms"
        srv = make_server("--sms-driver", "webhook", "--sms-webhook-url", url,
                          "--webhook-secret", "s3cret", tty=True)
        phone = new_phone()
        r = srv.request_code(phone)
        assert r.status_code == 202
        to = "+86" + phone
        got = eventually(lambda: [m for m in _Hook.got if m.get("to") == to])
        assert got, "the webhook got no SMS"
        code = got[0]["params"]["code"]
        time.sleep(0.3)
        assert code not in srv.terminal_text() and masked(phone) not in srv.terminal_text()
        assert not read_jsonl(srv.sink, lambda o: True)
    finally:
        hook.shutdown()


def test_serve_prints_the_url_to_open_on_its_terminal_only(make_server):
    srv = make_server("--sms-interval", "0", tty=True)
    line = eventually(lambda: next((ln for ln in srv.terminal_text().splitlines()
                                    if "http://" in ln), None))
    assert line and f"http://127.0.0.1:{srv.port}/" in line, srv.terminal_text()
    assert "/staff/" in line
    assert "web client" not in srv.log_text()
