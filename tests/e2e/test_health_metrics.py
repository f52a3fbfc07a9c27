"""Health, metrics, OpenAPI document and the access log."""
import json
import re
import time

from conftest import assert_error, parse_metrics


def _requests_total(srv, route, method, status):
    r = srv.get("/metrics")
    assert r.status_code == 200
    total = 0.0
    for name, labels, value in parse_metrics(r.text):
        if (name == "wlk_http_requests_total" and labels.get("route") == route
                and labels.get("method") == method and labels.get("status") == str(status)):
            total += value
    return total


def test_healthz_answers_ok_with_a_request_id(shared_server):
    r = shared_server.get("/healthz")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "bus": "local"}  # one process: no bus
    assert r.headers["Content-Type"].startswith("application/json")
    assert r.headers.get("X-Request-Id")


def test_every_response_gets_a_different_request_id(shared_server):
    ids = {shared_server.get("/healthz").headers["X-Request-Id"] for _ in range(5)}
    ids.add(shared_server.get("/nope").headers["X-Request-Id"])
    assert len(ids) == 6


def test_metrics_is_prometheus_text(shared_server):
    r = shared_server.get("/metrics")
    assert r.status_code == 200
    ctype = r.headers["Content-Type"].replace(" ", "")
    assert ctype.startswith("text/plain") and "version=0.0.4" in ctype
    parse_metrics(r.text)  # every line parses


def test_metrics_count_a_route_just_called(shared_server):
    token, _, _ = shared_server.new_user()
    before = _requests_total(shared_server, "/v1/me", "GET", 200)
    for _ in range(3):
        assert shared_server.get("/v1/me", token=token).status_code == 200
    after = _requests_total(shared_server, "/v1/me", "GET", 200)
    assert after - before == 3


def test_metrics_count_errors_by_status(shared_server):
    before = _requests_total(shared_server, "/v1/me", "GET", 401)
    assert_error(shared_server.get("/v1/me"), 401, "unauthorized")
    assert _requests_total(shared_server, "/v1/me", "GET", 401) == before + 1


def test_metrics_label_routes_by_pattern_not_by_id(shared_server):
    token, _, _ = shared_server.new_user()
    before = _requests_total(shared_server, "/v1/me/devices/:id", "DELETE", 404)
    assert_error(shared_server.delete("/v1/me/devices/987654321987", token=token), 404, "not_found")
    assert _requests_total(shared_server, "/v1/me/devices/:id", "DELETE", 404) == before + 1
    text = shared_server.get("/metrics").text
    assert "987654321987" not in text


def test_metrics_has_a_request_duration_histogram(shared_server):
    shared_server.get("/healthz")
    samples = parse_metrics(shared_server.get("/metrics").text)
    buckets = [(l, v) for n, l, v in samples if n == "wlk_http_request_duration_seconds_bucket"]
    les = {l.get("le") for l, _ in buckets}
    assert "0.001" in les and "+Inf" in les, les
    names = {n for n, _, _ in samples}
    assert "wlk_http_request_duration_seconds_sum" in names
    assert "wlk_http_request_duration_seconds_count" in names
    inf = sum(v for l, v in buckets if l.get("le") == "+Inf")
    count = sum(v for n, _, v in samples if n == "wlk_http_request_duration_seconds_count")
    assert inf == count and count >= 1
    # buckets are cumulative
    finite = sorted(((float(l["le"]), v) for l, v in buckets
                     if l.get("le") != "+Inf" and len(l) == 1), key=lambda x: x[0])
    for (_, a), (_, b) in zip(finite, finite[1:]):
        assert a <= b


def test_openapi_document_is_served_as_yaml(shared_server):
    r = shared_server.get("/v1/openapi.yaml")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("application/yaml")
    assert re.search(r"^openapi:\s*['\"]?3\.", r.text, re.M)
    for path in ("/v1/auth/sms-code", "/v1/auth/login", "/v1/me", "/v1/privacy/policy"):
        assert path in r.text


def test_access_log_has_one_json_line_per_request(shared_server):
    r = shared_server.get("/v1/privacy/policy/versions")
    rid = r.headers["X-Request-Id"]
    line = shared_server.wait_log(lambda o: o.get("request_id") == rid and o.get("msg") == "request")
    assert line is not None, "no access log line for the request"
    assert line["method"] == "GET"
    assert line["route"] == "/v1/privacy/policy/versions"
    assert line["status"] == 200
    assert isinstance(line["duration_ms"], (int, float)) and line["duration_ms"] >= 0


def test_access_log_names_the_route_pattern(shared_server):
    token, _, _ = shared_server.new_user()
    r = shared_server.delete("/v1/me/devices/123456789", token=token)
    rid = r.headers["X-Request-Id"]
    line = shared_server.wait_log(lambda o: o.get("request_id") == rid and o.get("msg") == "request")
    assert line is not None
    assert line["method"] == "DELETE"
    assert line["route"] == "/v1/me/devices/:id"
    assert line["status"] == 404


def test_every_log_line_is_a_json_object(shared_server):
    shared_server.get("/healthz")
    shared_server.get("/nope")
    time.sleep(0.2)
    for line in shared_server.log_text().splitlines():
        if not line.strip():
            continue
        o = json.loads(line)
        assert isinstance(o, dict) and isinstance(o.get("msg"), str), line
