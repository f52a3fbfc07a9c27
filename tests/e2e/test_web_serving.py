"""The web client as `wlk serve` ships it: embedded files, hashed names that
never change, revalidated pages, precompressed variants and the security
headers of every page (issue 10, "Serving")."""
import gzip
import hashlib
import re

import brotli
import pytest

from conftest import assert_error, parse_metrics

ASSET_REF = re.compile(r'(?:src|href)="(/assets/[^"]+)"')
IMPORT_REF = re.compile(r'(?:from|import)\s*\(?\s*"(/[^"]+)"')


def page(srv, path="/", **headers):
    r = srv.get(path, headers=headers)
    assert r.status_code == 200, (path, r.status_code, r.content[:200])
    assert r.headers["Content-Type"] == "text/html; charset=utf-8"
    return r


def csp_directives(r):
    csp = r.headers["Content-Security-Policy"]
    out = {}
    for part in csp.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


def test_the_app_page_is_served_at_the_root(shared_server):
    r = page(shared_server)
    assert '<div id="root">' in r.text and 'lang="zh-CN"' in r.text
    assert r.headers["Cache-Control"] == "no-cache"
    assert r.headers["ETag"].startswith('W/"')


def test_every_page_carries_a_strict_content_security_policy(shared_server):
    for path in ("/", "/chat/1", "/staff/", "/staff/requests"):
        r = page(shared_server, path)
        d = csp_directives(r)
        assert d["default-src"] == ["'none'"]
        assert d["script-src"] == ["'self'"], "no inline script, no eval, no other host"
        assert d["style-src"] == ["'self'"]
        assert d["frame-ancestors"] == ["'none'"]
        assert d["object-src"] == ["'none'"] and d["base-uri"] == ["'none'"]
        assert d["connect-src"] == ["'self'", f"ws://127.0.0.1:{shared_server.port}"]
        for words in d.values():
            assert "'unsafe-inline'" not in words and "'unsafe-eval'" not in words
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        assert r.headers["Referrer-Policy"] == "same-origin"
        assert r.headers["X-Frame-Options"] == "DENY"


def test_the_page_has_no_inline_script(shared_server):
    for path in ("/", "/staff/"):
        html = page(shared_server, path).text
        for tag in re.findall(r"<script[^>]*>.*?</script>", html, re.S):
            assert re.search(r'\ssrc="/assets/', tag), tag
            assert tag.endswith("></script>"), "a script element with a body"
        assert not re.search(r"<[^>]*\son\w+\s*=", html), "an inline event handler"


def test_client_routes_fall_back_to_their_page(shared_server):
    app = page(shared_server, "/").content
    staff = page(shared_server, "/staff/").content
    assert app != staff
    for path in ("/chat/123", "/me/devices", "/login", "/u/7364829101827362817"):
        assert page(shared_server, path).content == app
    for path in ("/staff", "/staff/requests", "/staff/users/12"):
        assert page(shared_server, path).content == staff


def test_the_page_is_revalidated_with_its_etag(shared_server):
    r = page(shared_server)
    tag = r.headers["ETag"]
    r2 = shared_server.get("/", headers={"If-None-Match": tag})
    assert r2.status_code == 304 and r2.content == b""
    assert r2.headers["ETag"] == tag
    r3 = shared_server.get("/", headers={"If-None-Match": 'W/"0000000000000000"'})
    assert r3.status_code == 200 and r3.content == r.content


def referenced_assets(srv):
    """Every /assets/ file the two pages reference, and everything those
    modules import, transitively."""
    todo = []
    for path in ("/", "/staff/"):
        todo += ASSET_REF.findall(page(srv, path).text)
    seen = {}
    while todo:
        a = todo.pop()
        if a in seen:
            continue
        r = srv.get(a, headers={"Accept-Encoding": "identity"})
        assert r.status_code == 200, (a, r.status_code)
        seen[a] = r
        if a.endswith(".js"):
            for spec in IMPORT_REF.findall(r.text):
                assert spec.startswith("/assets/"), (a, spec)
                todo.append(spec)
    return seen


def test_assets_have_content_hashed_names_and_are_immutable(shared_server):
    assets = referenced_assets(shared_server)
    kinds = {a.rsplit(".", 1)[1] for a in assets}
    assert {"js", "css", "svg"} <= kinds
    types = {"js": "text/javascript; charset=utf-8", "css": "text/css; charset=utf-8",
             "svg": "image/svg+xml"}
    for path, r in assets.items():
        m = re.fullmatch(r"/assets/.+\.([0-9a-f]{10})\.(\w+)", path)
        assert m, path
        assert hashlib.sha256(r.content).hexdigest()[:10] == m.group(1), path
        assert r.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert r.headers["Content-Type"] == types.get(m.group(2), r.headers["Content-Type"])
        assert r.headers["X-Content-Type-Options"] == "nosniff"


def test_the_view_library_is_embedded_not_fetched_from_elsewhere(shared_server):
    assets = referenced_assets(shared_server)
    assert any(a.startswith("/assets/vendor/preact.") for a in assets)
    for path in ("/", "/staff/"):
        assert "http://" not in page(shared_server, path).text.replace("http://www.w3.org", "")
        assert "https://" not in page(shared_server, path).text


def test_precompressed_variants_are_chosen_by_accept_encoding(shared_server):
    path = next(a for a in referenced_assets(shared_server) if "/vendor/preact." in a)
    plain = shared_server.get(path, headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers
    assert plain.headers["Vary"] == "accept-encoding"

    gz = shared_server.get(path, headers={"Accept-Encoding": "gzip"}, stream=True)
    assert gz.headers["Content-Encoding"] == "gzip"
    body = gz.raw.read()
    assert len(body) < len(plain.content) and gzip.decompress(body) == plain.content

    br = shared_server.get(path, headers={"Accept-Encoding": "gzip, deflate, br"}, stream=True)
    assert br.headers["Content-Encoding"] == "br"
    assert brotli.decompress(br.raw.read()) == plain.content

    for refused in ("gzip;q=0, br;q=0", "*;q=0", "deflate"):
        r = shared_server.get(path, headers={"Accept-Encoding": refused}, stream=True)
        assert "Content-Encoding" not in r.headers, refused
        assert r.raw.read() == plain.content
    star = shared_server.get(path, headers={"Accept-Encoding": "*"}, stream=True)
    assert star.headers["Content-Encoding"] == "br"


def test_an_immutable_asset_answers_304_to_its_etag(shared_server):
    path = next(iter(referenced_assets(shared_server)))
    tag = shared_server.get(path).headers["ETag"]
    assert shared_server.get(path, headers={"If-None-Match": tag}).status_code == 304


@pytest.mark.parametrize("path", ["/assets/app/main.0000000000.js", "/assets/", "/favicon.ico",
                                  "/index.html", "/staff/index.html", "/app/main.js"])
def test_a_file_that_is_not_there_is_not_found_never_the_page(shared_server, path):
    assert_error(shared_server.get(path), 404, "not_found")


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_writes_to_the_client_are_not_allowed(shared_server, method):
    for path in ("/", "/chat/1", "/staff/"):
        r = shared_server.request(method, path, data=b"x")
        assert_error(r, 405, "method_not_allowed")
        assert r.headers["Allow"] == "GET, HEAD"


def test_head_of_the_page_has_its_headers_and_no_body(shared_server):
    r = shared_server.request("HEAD", "/")
    assert r.status_code == 200 and r.content == b""
    assert r.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "Content-Security-Policy" in r.headers


def test_api_paths_stay_the_api(shared_server):
    assert_error(shared_server.get("/v1/nope"), 404, "not_found")
    assert shared_server.get("/v1/privacy/policy").headers["Content-Type"].startswith(
        "application/json")


def test_requests_for_the_client_are_counted_in_metrics(server):
    page(server, "/")
    page(server, "/chat/9")
    rows = parse_metrics(server.get("/metrics").text)
    n = sum(v for name, labels, v in rows
            if name == "wlk_http_requests_total" and labels.get("route") == "web"
            and labels.get("status") == "200")
    assert n == 2
