"""Hostile and malformed requests: each gets a 4xx and the server keeps
answering /healthz afterwards."""
import http.client
import json
import socket

import pytest

from conftest import allow_set, assert_error, healthy, new_phone

MiB = 1024 * 1024


@pytest.fixture(scope="module")
def token(shared_server):
    t, _, _ = shared_server.new_user()
    return t


def raw(srv, method, path, body=None, headers=None):
    """Send a request exactly as given (no URL normalisation) and return
    (status, headers, body bytes)."""
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        for k, v in (headers or {}).items():
            conn.putheader(k, v)
        if body is not None:
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        r = conn.getresponse()
        data = r.read()
        return r.status, r, data
    finally:
        conn.close()


def check_raw_error(status, resp, data, want_status=None, want_code=None):
    if want_status is not None:
        assert status == want_status, (status, data[:300])
    else:
        assert 400 <= status < 500, (status, data[:300])
    try:
        body = json.loads(data)
    except ValueError:
        body = None
    if isinstance(body, dict) and "error" in body:
        rid = resp.getheader("X-Request-Id")
        assert rid and body["error"].get("request_id") == rid
        if want_code is not None:
            assert body["error"]["code"] == want_code, body
    elif want_code is not None:
        raise AssertionError(f"want error {want_code}, got {data[:300]!r}")


def post_raw_body(srv, path, data, token=None, ctype="application/json"):
    headers = {} if ctype is None else {"Content-Type": ctype}
    return srv.post(path, data=data, token=token, headers=headers)


# -------------------------------------------------------------- bad JSON

BAD_JSON = [
    pytest.param(b'{"phone":"138', id="truncated"),
    pytest.param(b'{"phone":', id="truncated-after-colon"),
    pytest.param(b'{', id="open-brace"),
    pytest.param(b'{"phone":"13812345678",}', id="trailing-comma"),
    pytest.param(b"{'phone':'13812345678'}", id="single-quotes"),
    pytest.param(b'{phone:"13812345678"}', id="bare-key"),
    pytest.param(b'{"phone":"13812345678"} x', id="trailing-garbage"),
    pytest.param(b'{"phone":"13812345678"}{}', id="two-documents"),
    pytest.param(b'{"phone":"\xff\xfe"}', id="invalid-utf8"),
    pytest.param(b'{"phone":"\xc0\xaf"}', id="overlong-utf8"),
    pytest.param(b'{"phone":"\xed\xa0\x80"}', id="utf8-surrogate"),
    pytest.param(b'{"phone":"\x80abc"}', id="lone-continuation-byte"),
    pytest.param(b'{"\xff":"x"}', id="invalid-utf8-key"),
    pytest.param(b'{"phone":"\\ud800"}', id="lone-surrogate-escape"),
    pytest.param(b'{"phone":"\\x41"}', id="bad-escape"),
    pytest.param(b'{"phone":"a\x01b"}', id="raw-control-char"),
    pytest.param(b'{"phone":1e999999}', id="huge-real"),
    pytest.param(b'{"phone":123456789012345678901234567890}', id="huge-integer"),
    pytest.param(b'{"phone":-123456789012345678901234567890}', id="huge-negative-integer"),
    pytest.param(b'{"phone":NaN}', id="nan"),
    pytest.param(b'{"phone":Infinity}', id="infinity"),
    pytest.param(b'\x00', id="nul"),
    pytest.param(b'[]', id="array"),
    pytest.param(b'[{"phone":"13812345678"}]', id="array-of-object"),
    pytest.param(b'"13812345678"', id="string"),
    pytest.param(b'13812345678', id="number"),
    pytest.param(b'null', id="null"),
    pytest.param(b'true', id="true"),
]


@pytest.mark.parametrize("body", BAD_JSON)
def test_bad_json_to_sms_code_is_invalid_json(shared_server, body):
    assert_error(post_raw_body(shared_server, "/v1/auth/sms-code", body), 400, "invalid_json")
    healthy(shared_server)


@pytest.mark.parametrize("body", BAD_JSON)
def test_bad_json_to_login_is_invalid_json(shared_server, body):
    assert_error(post_raw_body(shared_server, "/v1/auth/login", body), 400, "invalid_json")
    healthy(shared_server)


@pytest.mark.parametrize("body", [
    b'{"nickname":"\xff"}', b'{"nickname":', b'[]', b'"x"', b'{"nickname":1e999999}',
    b'{"nickname":123456789012345678901234567890}',
])
def test_bad_json_to_patch_me_is_invalid_json(shared_server, token, body):
    r = shared_server.patch("/v1/me", token=token, data=body,
                            headers={"Content-Type": "application/json"})
    assert_error(r, 400, "invalid_json")
    healthy(shared_server)


@pytest.mark.parametrize("route", ["/v1/auth/sms-code", "/v1/auth/login"])
@pytest.mark.parametrize("body", [b"", b" ", b"\n\r\n"])
def test_empty_body_is_invalid_json(shared_server, route, body):
    assert_error(post_raw_body(shared_server, route, body), 400, "invalid_json")
    healthy(shared_server)


def test_empty_body_to_patch_me_is_invalid_json(shared_server, token):
    r = shared_server.patch("/v1/me", token=token, data=b"", headers={"Content-Type": "application/json"})
    assert_error(r, 400, "invalid_json")
    healthy(shared_server)


@pytest.mark.parametrize("depth", [100, 5000, 100000])
def test_deeply_nested_json_is_refused(shared_server, depth):
    body = b'{"phone":' + b"[" * depth + b"]" * depth + b"}"
    r = post_raw_body(shared_server, "/v1/auth/sms-code", body)
    assert r.status_code in (400, 422), r.status_code
    if r.status_code == 400:
        assert_error(r, 400, "invalid_json")
    else:
        assert_error(r, 422, "validation_failed", field="phone")
    healthy(shared_server)


def test_unknown_top_level_field_is_a_validation_error(shared_server):
    r = shared_server.post("/v1/auth/sms-code", json={"phone": new_phone(), "captcha": "x"})
    assert_error(r, 422, "validation_failed", field="captcha")
    healthy(shared_server)


def test_long_unknown_field_is_a_validation_error(shared_server):
    name = "k" * 1000
    r = shared_server.post("/v1/auth/sms-code", json={"phone": new_phone(), name: 1})
    assert_error(r, 422, "validation_failed")
    healthy(shared_server)


# -------------------------------------------------------------- size

def test_two_mib_body_is_payload_too_large(shared_server):
    body = b'{"phone":"' + b"1" * (2 * MiB) + b'"}'
    assert_error(post_raw_body(shared_server, "/v1/auth/sms-code", body), 413, "payload_too_large")
    healthy(shared_server)


def test_two_mib_body_to_patch_me_is_payload_too_large(shared_server, token):
    body = b'{"nickname":"' + b"a" * (2 * MiB) + b'"}'
    r = shared_server.patch("/v1/me", token=token, data=body, headers={"Content-Type": "application/json"})
    assert_error(r, 413, "payload_too_large")
    healthy(shared_server)


def test_two_mib_chunked_body_is_payload_too_large(shared_server):
    def chunks():
        yield b'{"phone":"'
        for _ in range(32):
            yield b"1" * (64 * 1024)
        yield b'"}'

    r = shared_server.post("/v1/auth/sms-code", data=chunks(), headers={"Content-Type": "application/json"})
    assert_error(r, 413, "payload_too_large")
    healthy(shared_server)


def test_a_body_of_exactly_one_mib_is_read(shared_server):
    head, tail = b'{"phone":"', b'"}'
    body = head + b"1" * (MiB - len(head) - len(tail)) + tail
    assert len(body) == MiB
    assert_error(post_raw_body(shared_server, "/v1/auth/sms-code", body), 422, "validation_failed", field="phone")
    healthy(shared_server)


def test_a_body_one_byte_over_one_mib_is_payload_too_large(shared_server):
    head, tail = b'{"phone":"', b'"}'
    body = head + b"1" * (MiB + 1 - len(head) - len(tail)) + tail
    assert_error(post_raw_body(shared_server, "/v1/auth/sms-code", body), 413, "payload_too_large")
    healthy(shared_server)


# -------------------------------------------------------------- content type

@pytest.mark.parametrize("ctype", [
    "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
    "application/xml", "application/jsonx", "json",
])
@pytest.mark.parametrize("route", ["/v1/auth/sms-code", "/v1/auth/login"])
def test_wrong_content_type_is_unsupported_media_type(shared_server, route, ctype):
    body = json.dumps({"phone": new_phone()}).encode()
    r = post_raw_body(shared_server, route, body, ctype=ctype)
    assert_error(r, 415, "unsupported_media_type")
    healthy(shared_server)


def test_wrong_content_type_to_patch_me_is_unsupported_media_type(shared_server, token):
    r = shared_server.patch("/v1/me", token=token, data=b'{"nickname":"x"}', headers={"Content-Type": "text/plain"})
    assert_error(r, 415, "unsupported_media_type")
    assert shared_server.get("/v1/me", token=token).json()["nickname"] != "x"


def test_absent_content_type_is_accepted_as_json(shared_server):
    r = post_raw_body(shared_server, "/v1/auth/sms-code", json.dumps({"phone": new_phone()}).encode(), ctype=None)
    assert "Content-Type" not in r.request.headers
    assert r.status_code == 202


@pytest.mark.parametrize("ctype", ["application/json; charset=utf-8", "Application/JSON"])
def test_json_content_type_with_parameters_is_accepted(shared_server, ctype):
    r = post_raw_body(shared_server, "/v1/auth/sms-code", json.dumps({"phone": new_phone()}).encode(), ctype=ctype)
    assert r.status_code == 202


# -------------------------------------------------------------- methods

ROUTES = {
    "/healthz": {"GET"},
    "/metrics": {"GET"},
    "/v1/openapi.yaml": {"GET"},
    "/v1/privacy/policy": {"GET"},
    "/v1/privacy/policy/versions": {"GET"},
    "/v1/privacy/policy/0123456789abcdef": {"GET"},
    "/v1/auth/sms-code": {"POST"},
    "/v1/auth/login": {"POST"},
    "/v1/auth/logout": {"POST"},
    "/v1/me": {"GET", "PATCH"},
    "/v1/me/devices": {"GET"},
    "/v1/me/devices/123": {"DELETE"},
    "/v1/me/consents": {"GET"},
}
METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]
WRONG = [(p, m) for p, allowed in ROUTES.items() for m in METHODS if m not in allowed]


@pytest.mark.parametrize("path,method", WRONG)
def test_wrong_method_is_method_not_allowed_with_allow_header(shared_server, path, method):
    r = shared_server.request(method, path)
    assert_error(r, 405, "method_not_allowed")
    assert allow_set(r) == ROUTES[path]
    healthy(shared_server)


def test_wrong_method_on_me_lists_get_and_patch(shared_server, token):
    r = shared_server.request("PUT", "/v1/me", token=token, json={"nickname": "x"})
    assert_error(r, 405, "method_not_allowed")
    assert allow_set(r) == {"GET", "PATCH"}


@pytest.mark.parametrize("method", ["FOO", "get", "GETT", "PROPFIND", "TRACE"])
def test_unknown_method_names_get_a_4xx(shared_server, method):
    status, resp, data = raw(shared_server, method, "/healthz")
    check_raw_error(status, resp, data)
    healthy(shared_server)


# -------------------------------------------------------------- paths

@pytest.mark.parametrize("path", [
    "/v1", "/v1/", "/v1/nope", "/v1/auth", "/v1/privacy/policy/abc/def",
    "/v1/me/devices/1/2", "/v1/me/nope", "/assets/nope.js", "/assets", "/nope.js", "/a//b",
])
def test_unknown_paths_are_not_found(shared_server, path):
    status, resp, data = raw(shared_server, "GET", path)
    check_raw_error(status, resp, data, 404, "not_found")
    healthy(shared_server)


@pytest.mark.parametrize("path", ["/", "/nope", "/healthz/x", "/V1/ME", "/HEALTHZ", "/v2/me"])
def test_other_paths_are_client_routes_answered_with_the_app_page(shared_server, path):
    status, resp, data = raw(shared_server, "GET", path)
    assert status == 200, (status, data[:200])
    assert resp.getheader("Content-Type").startswith("text/html")
    assert b'<div id="root">' in data
    healthy(shared_server)


@pytest.mark.parametrize("n", [1000, 4000])
def test_long_unknown_paths_are_not_found(shared_server, n):
    status, resp, data = raw(shared_server, "GET", "/v1/" + "a" * n)
    check_raw_error(status, resp, data, 404, "not_found")
    healthy(shared_server)


@pytest.mark.parametrize("n", [9000, 20000, 70000])
def test_very_long_paths_get_a_4xx(shared_server, n):
    """Beyond h2o's request-line limit the answer may come from h2o itself,
    or the connection may be closed; it must never be a 2xx/5xx nor kill the
    server."""
    try:
        status, resp, data = raw(shared_server, "GET", "/v1/" + "a" * n)
    except (OSError, http.client.HTTPException):
        pass
    else:
        check_raw_error(status, resp, data)
    healthy(shared_server)


TRAVERSALS = [
    "/../../../../etc/passwd",
    "/v1/privacy/policy/../../../../etc/passwd",
    "/v1/privacy/policy/..%2f..%2f..%2f..%2fetc%2fpasswd",
    "/v1/privacy/policy/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/%2e%2e/%2e%2e/master.key",
    "/master.key",
    "/wlk.db",
    "/sink/sms.jsonl",
    "/v1/openapi.yaml/../../master.key",
    "/v1/privacy/policy/..%5c..%5cmaster.key",
    "/v1/me/devices/..%2f..%2f..%2fhealthz",
    "//etc/passwd",
    "/v1/privacy/policy/%00",
    "/v1/privacy/policy/%",
    "/v1/privacy/policy/%zz",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_path_traversal_gets_a_4xx_and_no_file(shared_server, path):
    status, resp, data = raw(shared_server, "GET", path)
    check_raw_error(status, resp, data)
    key = (shared_server.data_dir / "master.key").read_bytes().strip()
    assert key not in data
    assert b"root:" not in data
    assert b"SQLite format" not in data
    healthy(shared_server)


@pytest.mark.parametrize("path", [
    "/healthz?%%%",
    "/healthz?a=%ZZ&&&=&b=%00&c[]=1&c[]=2",
    "/healthz?" + "q=1&" * 500,
    "/v1/privacy/policy?version=../../etc/passwd&%00",
    "/v1/privacy/policy/versions?limit=-1&cursor=%ff%fe",
    "/v1/privacy/policy/versions?limit=99999999999999999999999&cursor=",
    "/v1/me?token=abc&Authorization=Bearer%20x",
    "/nope?x=1",
])
def test_query_junk_never_gets_a_5xx(shared_server, path):
    status, resp, data = raw(shared_server, "GET", path)
    assert status < 500, (status, data[:300])
    if status >= 400:
        check_raw_error(status, resp, data)
    if path.startswith("/v1/me"):
        assert status == 401
    healthy(shared_server)


# -------------------------------------------------------------- headers

@pytest.mark.parametrize("auth", [
    "Bearer " + "x" * 7000,
    "Bearer \t",
    "Bearer a b c",
    "Bearer ../../etc/passwd",
    "Bearer %00",
])
def test_junk_authorization_headers_are_unauthorized(shared_server, auth):
    status, resp, data = raw(shared_server, "GET", "/v1/me", headers={"Authorization": auth})
    check_raw_error(status, resp, data, 401, "unauthorized")
    healthy(shared_server)


def test_non_ascii_authorization_header_is_unauthorized(shared_server):
    status, resp, data = raw(shared_server, "GET", "/v1/me",
                             headers={"Authorization": "Bearer \xff\xfe\xe9".encode("latin-1")})
    check_raw_error(status, resp, data, 401, "unauthorized")
    healthy(shared_server)


def test_a_garbage_request_line_does_not_kill_the_server(shared_server):
    for junk in (b"\x00\x01\x02\r\n\r\n", b"GET\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n",
                 b"POST /v1/auth/sms-code HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
                 b"POST /v1/auth/sms-code HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n"):
        with socket.create_connection(("127.0.0.1", shared_server.port), timeout=2) as s:
            try:
                s.sendall(junk)
                s.recv(4096)
            except OSError:
                pass
    healthy(shared_server)


# -------------------------------------------------------------- wrong types

@pytest.mark.parametrize("body,field", [
    ({"phone": 13812345678}, "phone"),
    ({"phone": None}, "phone"),
    ({"phone": 1.5}, "phone"),
    ({"phone": {"x": 1}}, "phone"),
    ({"phone": "1" * 5000}, "phone"),
])
def test_wrong_types_in_sms_code_are_validation_errors(shared_server, body, field):
    assert_error(shared_server.post("/v1/auth/sms-code", json=body), 422, "validation_failed", field=field)
    healthy(shared_server)


@pytest.mark.parametrize("body,field", [
    ({"phone": "13812345678", "code": 123456, "device": {"id": "d"}}, "code"),
    ({"phone": "13812345678", "code": None, "device": {"id": "d"}}, "code"),
    ({"phone": "13812345678", "code": "123456", "device": None}, "device"),
    ({"phone": "13812345678", "code": "123456", "device": 7}, "device"),
    ({"phone": "13812345678", "code": "123456", "device": {"id": None}}, "device.id"),
    ({"phone": "13812345678", "code": "123456", "device": {"id": 7}}, "device.id"),
    ({"phone": "13812345678", "code": "123456", "device": {"id": "d", "name": None}}, "device.name"),
    ({"phone": "13812345678", "code": "123456", "device": {"id": "d", "platform": None}}, "device.platform"),
])
def test_wrong_types_in_login_are_validation_errors(shared_server, body, field):
    assert_error(shared_server.post("/v1/auth/login", json=body), 422, "validation_failed", field=field)
    healthy(shared_server)


def test_an_empty_field_name_is_a_validation_error_that_names_it(shared_server):
    # found by tests/fuzz/fuzz_login: the unknown key "" is reported as field ""
    r = shared_server.post("/v1/auth/login", json={"": "123456", "device": {"id": "d1"}})
    assert_error(r, 422, "validation_failed", field="")
    healthy(shared_server)
