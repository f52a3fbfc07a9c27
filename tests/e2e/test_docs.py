"""The documents describe what the code does: every route of the route
table is in docs/openapi.yaml (which the server serves), and every error
code of the error table is in docs/ERRORS.md and the OpenAPI enum."""
import re
import subprocess

from conftest import REPO, WLK_BIN


def _routes():
    src = (REPO / "src" / "api" / "routes.c").read_text()
    return re.findall(r'\{"(GET|POST|PUT|PATCH|DELETE)",\s*"([^"]+)"', src)


def test_every_route_is_documented_in_openapi(server):
    doc = server.get("/v1/openapi.yaml")
    assert doc.status_code == 200
    assert doc.text == (REPO / "docs" / "openapi.yaml").read_text()
    routes = _routes()
    assert len(routes) >= 14
    for method, path in routes:
        oapi = re.sub(r":(\w+)", r"{\1}", path)
        block = re.search(r"^  " + re.escape(oapi) + r":\n((?:    .*\n|\n)*)", doc.text, re.M)
        assert block, f"{path} is missing from docs/openapi.yaml"
        assert re.search(r"^    " + method.lower() + r":", block.group(1), re.M), (method, path)


def test_every_error_code_is_documented():
    out = subprocess.run([WLK_BIN, "errors"], capture_output=True, text=True, check=True).stdout
    assert out == (REPO / "docs" / "ERRORS.md").read_text(), "run `make docs`"
    codes = re.findall(r"^\| `([a-z_]+)` \|", out, re.M)
    assert len(codes) >= 15
    enum = (REPO / "docs" / "openapi.yaml").read_text()
    for code in codes:
        assert re.search(r"^        - " + code + "$", enum, re.M), f"{code} missing from openapi"


def test_every_setting_is_in_the_readme():
    out = subprocess.run([WLK_BIN, "--help"], capture_output=True, text=True, check=True).stdout
    # settings: "--name  WLK_NAME  default  help" (operator command flags have no variable)
    settings = re.findall(r"^\s+(--[a-z-]+)\s+WLK_[A-Z_]+", out, re.M)
    assert len(settings) > 10, out
    readme = (REPO / "README.md").read_text()
    missing = [s for s in settings if f"`{s}`" not in readme]
    assert not missing, f"settings missing from README.md: {missing}"


def test_the_error_table_is_served_with_the_text_users_see(server):
    r = server.get("/v1/errors")
    assert r.status_code == 200
    items = r.json()["items"]
    md = (REPO / "docs" / "ERRORS.md").read_text()
    assert [i["code"] for i in items] == re.findall(r"^\| `([a-z_]+)` \|", md, re.M)
    for i in items:
        assert set(i) == {"code", "status", "message", "message_zh"}
        assert i["message_zh"] and not i["message_zh"].isascii(), i
        assert f"| `{i['code']}` | {i['status']} | {i['message']} | {i['message_zh']} |" in md
