"""The developments catalogue (issue 13, F3): public browsing without an
account, search by name, alias and pinyin initials, filters, sorts and
cursors, nearby with and without the location consent, staff writes with
their audit records, and the JSONL import (bad lines by number, nothing
of them written, re-import idempotent)."""
import http.client
import json
from urllib.parse import quote

import pytest

from conftest import REPO, assert_error, db_file_bytes
from staffkit import _finish, _require_binary, start_staff_server

DEMO = REPO / "demo" / "developments.jsonl"


@pytest.fixture(scope="module")
def cat(tmp_path_factory):
    """A server with the staff members and the demo catalogue loaded."""
    _require_binary()
    srv = start_staff_server(tmp_path_factory.mktemp("catalog"))
    r = srv.wlk("developments", "import", str(DEMO))
    assert r.returncode == 0, (r.stdout, r.stderr)
    yield srv
    _finish([srv])


def listing(srv, query="", **kw):
    r = srv.get("/v1/developments" + (f"?{query}" if query else ""), **kw)
    assert r.status_code == 200, r.content[:300]
    return r.json()


def all_pages(srv, query, limit=7):
    items, cursor = [], None
    for _ in range(100):
        q = f"{query}&limit={limit}" + (f"&cursor={quote(cursor)}" if cursor else "")
        page = listing(srv, q)
        assert len(page["items"]) <= limit
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError("the pages never end")


def demo_lines():
    return [json.loads(line) for line in DEMO.read_text().splitlines() if line.strip()]


def test_developments_are_browsed_without_an_account(cat):
    page = listing(cat)
    assert len(page["items"]) == 20 and page["next_cursor"]
    d = page["items"][0]
    assert d["price_notice"] == "实际售价以开发商取得“预售许可证”后的实际开盘价格为准"
    assert "layouts" not in d and d["sale_status_label"] in ("待售", "在售", "售罄", "尾盘")
    full = cat.get(f"/v1/developments/{d['id']}")
    assert full.status_code == 200
    j = full.json()
    assert j["layouts"] and all(lay["id"] and lay["rooms"] >= 1 for lay in j["layouts"])
    assert set(j["location_bd09"]) == {"lat", "lng"}
    assert j["price_text"] == ("待定" if j["price_avg"] is None else f"{j['price_avg']}元/㎡")
    assert j["opening"]["text"]


def test_every_development_is_listed_once_across_pages(cat):
    items = all_pages(cat, "sort=default", limit=7)
    assert len(items) == len(demo_lines())
    assert len({d["id"] for d in items}) == len(items)


def test_search_by_name_alias_and_pinyin_initials(cat):
    d = demo_lines()[0]  # 知远翠湾, alias 知远·翠湾
    by_name = listing(cat, f"q={quote(d['name'][1:3])}")["items"]
    assert d["name"] in [x["name"] for x in by_name]
    assert all(d["name"][1:3] in x["name"] or d["name"][1:3] in (x["alias"] or "")
               for x in by_name)
    by_initials = listing(cat, "q=ZYCW")["items"]  # 知远翠湾, upper case too
    assert [x["name"] for x in by_initials] == [d["name"]]
    assert listing(cat, f"q={quote('·翠')}")["items"][0]["alias"] == d["alias"]
    assert listing(cat, "q=%25")["items"] == []  # a wildcard is a character like any
    assert listing(cat, f"q={quote('没有这个楼盘')}")["items"] == []


def test_filters_city_district_price_area_rooms_and_status(cat):
    lines = demo_lines()
    sh = listing(cat, f"city={quote('上海')}&limit=50")["items"]
    assert len(sh) == sum(1 for x in lines if x["city"] == "上海")
    district = lines[0]["district"]
    items = listing(cat, f"city={quote('上海')}&district={quote(district)}&limit=50")["items"]
    assert items and all(x["district"] == district for x in items)
    items = listing(cat, "price_min=40000&price_max=60000&limit=50")["items"]
    assert items and all(40000 <= x["price_avg"] <= 60000 for x in items)
    assert len(items) == sum(1 for x in lines
                             if x["price_avg"] and 40000 <= x["price_avg"] <= 60000)
    items = listing(cat, "area_min=150&limit=50")["items"]
    assert all(x["area"]["max"] >= 150 for x in items)
    items = listing(cat, "rooms=5&limit=50")["items"]
    assert items and all(5 in x["rooms"] for x in items)
    items = listing(cat, "sale_status=pending,sold_out&limit=50")["items"]
    assert items and all(x["sale_status"] in ("pending", "sold_out") for x in items)
    items = listing(cat, f"sale_status={quote('在售')}&limit=50")["items"]
    assert items and all(x["sale_status"] == "on_sale" for x in items)


def test_sorts_by_price_and_opening_with_unknown_last(cat):
    items = all_pages(cat, "sort=price", limit=5)
    prices = [x["price_avg"] for x in items]
    known = [p for p in prices if p is not None]
    assert known == sorted(known) and prices[:len(known)] == known  # 待定 last
    items = all_pages(cat, "sort=price_desc", limit=5)
    known = [x["price_avg"] for x in items if x["price_avg"] is not None]
    assert known == sorted(known, reverse=True)
    assert items[-1]["price_avg"] is None
    items = all_pages(cat, "sort=opening", limit=6)
    keys = [x["opening"]["date"] for x in items]
    dated = [k for k in keys if k]
    assert len(items) == len(demo_lines()) and keys[:len(dated)] == dated


def test_nearby_for_a_visitor_uses_the_position_for_the_request_only(cat):
    d = demo_lines()[0]
    lat, lng = d["location"]["lat"] + 0.001234, d["location"]["lng"] + 0.004321
    items = listing(cat, f"lat={lat}&lng={lng}&radius_km=20&sort=distance&limit=50")["items"]
    assert items[0]["name"] == d["name"] and items[0]["distance_m"] < 1000
    dist = [x["distance_m"] for x in items]
    assert dist == sorted(dist) and dist[-1] <= 20000
    # never stored: not in the database file, not in the log
    for needle in (f"{lat}", f"{lat:.6f}"[:8], f"{lng}"):
        assert needle.encode() not in db_file_bytes(cat)
        assert needle not in cat.log_text()


def test_nearby_takes_a_devices_wgs84_position_and_moves_it_to_gcj02(cat):
    d = demo_lines()[0]
    lat, lng = d["location"]["lat"], d["location"]["lng"]
    q = f"lat={lat}&lng={lng}&radius_km=20&sort=distance&limit=5"
    same = listing(cat, q)["items"][0]
    assert same["name"] == d["name"] and same["distance_m"] < 5
    # the same numbers as a GPS (WGS-84) reading are a few hundred metres off in GCJ-02
    moved = listing(cat, q + "&datum=wgs84")["items"]
    mine = next(x for x in moved if x["name"] == d["name"])
    assert 100 < mine["distance_m"] < 1200
    assert listing(cat, q + "&datum=gcj02")["items"][0]["distance_m"] < 5
    assert_error(cat.get("/v1/developments?" + q + "&datum=bd09"), 422, "validation_failed",
                 "datum")


def test_nearby_for_a_signed_in_user_needs_the_location_consent(cat):
    token, _, _ = cat.new_user()
    q = "/v1/developments?lat=31.2&lng=121.5&sort=distance"
    assert_error(cat.get(q, token=token), 403, "consent_required")
    # a typed district works without it
    r = cat.get(f"/v1/developments?city={quote('上海')}&district={quote('浦东')}", token=token)
    assert r.status_code == 200
    version = cat.policy_version()
    r = cat.request("PUT", "/v1/me/consents/location", token=token, json={"version": version})
    assert r.status_code == 200, r.content[:300]
    r = cat.get(q, token=token)
    assert r.status_code == 200 and all("distance_m" in x for x in r.json()["items"])


def test_a_dead_session_browses_as_a_visitor(cat):
    r = cat.get("/v1/developments?lat=31.2&lng=121.5", token="not-a-token")
    assert r.status_code == 200


@pytest.mark.parametrize("query, field", [
    ("q=" + quote("字" * 21), "q"),
    ("q=%ZZ", "q"),
    ("q=%0A", "q"),
    ("q=%FF%FE", "q"),
    ("limit=0", "limit"),
    ("limit=51", "limit"),
    ("price_min=-1", "price_min"),
    ("area_max=abc", "area_max"),
    ("rooms=0", "rooms"),
    ("rooms=2,7", "rooms"),
    ("sale_status=cheap", "sale_status"),
    ("sort=random", "sort"),
    ("sort=distance", "sort"),
    ("lat=31.2", "lng"),
    ("lat=31.2&lng=abc", "lng"),
    ("lat=48.85&lng=2.35", "lat"),
    ("lat=31.2&lng=121.5&radius_km=51", "radius_km"),
    ("cursor=garbage", "cursor"),
    ("sort=price&cursor=i.1.1", "cursor"),
])
def test_bad_search_parameters_are_refused_with_the_parameter_named(cat, query, field):
    # sent as written (requests would re-quote a broken escape)
    conn = http.client.HTTPConnection("127.0.0.1", cat.port, timeout=10)
    conn.request("GET", f"/v1/developments?{query}")
    r = conn.getresponse()
    body = json.loads(r.read())
    conn.close()
    assert r.status == 422, (query, body)
    assert body["error"]["code"] == "validation_failed" and body["error"]["field"] == field


def test_an_unknown_development_is_not_found(cat):
    assert_error(cat.get("/v1/developments/123"), 404, "not_found")
    assert_error(cat.get("/v1/developments/abc"), 404, "not_found")


DOC = {"name": "测试嘉园", "city": "上海", "district": "浦东", "sale_status": "on_sale",
       "price_avg": 61000, "layouts": [{"name": "A", "rooms": 2, "area": 76.5}]}


def test_staff_create_edit_and_retire_a_development_with_audit_records(cat):
    admin = cat.token("admin1")
    assert_error(cat.post("/v1/admin/developments", token=cat.token("reviewer1"), json=DOC),
                 403, "forbidden")
    r = cat.post("/v1/admin/developments", token=admin, json=DOC)
    assert r.status_code == 201, r.content[:300]
    d = r.json()
    assert d["rooms"] == [2] and d["area"] == {"min": 76, "max": 77}
    layout_id = d["layouts"][0]["id"]
    # a whole document back, as read, with a change: layout ids are kept
    d["price_avg"] = 59000
    r = cat.request("PUT", f"/v1/admin/developments/{d['id']}", token=admin, json=d)
    assert r.status_code == 200, r.content[:300]
    assert r.json()["price_avg"] == 59000 and r.json()["layouts"][0]["id"] == layout_id
    assert listing(cat, f"q={quote('测试嘉园')}")["items"][0]["price_avg"] == 59000
    assert cat.delete(f"/v1/admin/developments/{d['id']}", token=admin).status_code == 204
    assert_error(cat.get(f"/v1/developments/{d['id']}"), 404, "not_found")
    assert listing(cat, f"q={quote('测试嘉园')}")["items"] == []
    r = cat.get(f"/v1/admin/developments/{d['id']}", token=cat.token("reviewer1"))
    assert r.status_code == 200 and r.json()["retired"] is True
    assert_error(cat.delete(f"/v1/admin/developments/{d['id']}", token=admin), 404, "not_found")
    r = cat.get("/v1/admin/audit?limit=500", token=cat.token("auditor1"))
    mine = [a for a in r.json()["items"] if (a.get("detail") or {}).get("development_id") == d["id"]]
    assert [a["action"] for a in mine] == ["development.create", "development.update",
                                           "development.retire"]
    assert all(a["actor"] == "staff:admin1" for a in mine)


@pytest.mark.parametrize("change, field", [
    ({"name": ""}, "name"),
    ({"sale_status": "soon"}, "sale_status"),
    ({"price_avg": "35000"}, "price_avg"),
    ({"area": {"min": 90}}, "area"),
    ({"opening": "2027-13"}, "opening"),
    ({"location": {"lat": 31.2}}, "location"),
    ({"layouts": [{"name": "A", "rooms": 2}]}, "layouts[0].area"),
    ({"layouts": [{"name": "A", "rooms": 2, "area": 80, "orientation": "上"}]},
     "layouts[0].orientation"),
    ({"tags": ["好"] * 9}, "tags"),
    ({"secret": 1}, "secret"),
])
def test_a_bad_development_is_refused_and_nothing_written(cat, change, field):
    before = listing(cat, "limit=50&sort=default")
    doc = {**DOC, "name": "坏数据花园", **change}
    assert_error(cat.post("/v1/admin/developments", token=cat.token("admin1"), json=doc),
                 422, "validation_failed", field)
    assert listing(cat, "limit=50&sort=default") == before


def test_import_reports_a_bad_line_by_number_writes_nothing_of_it_and_reimports_idempotent(
        cat, tmp_path):
    good = [{**DOC, "ext_id": f"imp-{i}", "name": f"导入{i}号院"} for i in range(3)]
    bad = {**DOC, "ext_id": "imp-bad", "name": "坏行", "price_avg": -5}
    f = tmp_path / "lines.jsonl"
    f.write_text("\n".join([json.dumps(good[0], ensure_ascii=False), json.dumps(bad),
                            "{not json", "", json.dumps(good[1]), json.dumps(
                                {k: v for k, v in good[2].items() if k != "ext_id"}),
                            json.dumps(good[2])]) + "\n")
    r = cat.wlk("developments", "import", str(f))
    assert r.returncode == 1
    assert "line 2: validation_failed price_avg" in r.stderr
    assert "line 3: invalid_json" in r.stderr
    assert "line 6: validation_failed ext_id" in r.stderr
    assert "3 created, 0 updated, 0 unchanged, 3 refused" in r.stdout
    assert "100%" in r.stdout
    assert listing(cat, f"q={quote('坏行')}")["items"] == []
    assert len(listing(cat, f"q={quote('导入')}")["items"]) == 3
    # the staff console's import status: the run, its counts and bad lines
    run = cat.get("/v1/admin/catalog/imports", token=cat.token("admin1")).json()["items"][0]
    assert run["source"] == "lines.jsonl" and run["status"] == "done" and run["percent"] == 100
    assert (run["lines"], run["created"], run["refused"]) == (7, 3, 3)
    assert [(p["line"], p["code"], p.get("field")) for p in run["problems"]] == [
        (2, "validation_failed", "price_avg"), (3, "invalid_json", None),
        (6, "validation_failed", "ext_id")]
    assert run["finished_at"] >= run["started_at"]
    assert_error(cat.get("/v1/admin/catalog/imports", token=cat.token("reviewer1")), 403,
                 "forbidden")
    assert_error(cat.get("/v1/admin/catalog/imports?limit=0", token=cat.token("admin1")), 422,
                 "validation_failed", "limit")
    f.write_text("\n".join(json.dumps(g) for g in good) + "\n")
    r = cat.wlk("developments", "import", str(f))
    assert r.returncode == 0 and "0 created, 0 updated, 3 unchanged" in r.stdout
    good[1]["price_avg"] = 12345
    f.write_text("\n".join(json.dumps(g) for g in good) + "\n")
    r = cat.wlk("developments", "import", str(f))
    assert "0 created, 1 updated, 2 unchanged" in r.stdout
    items = listing(cat, f"q={quote('导入')}")["items"]
    assert len(items) == 3 and sorted(x["price_avg"] for x in items) == [12345, 61000, 61000]


def test_import_if_empty_loads_nothing_into_a_catalogue_that_has_developments(cat):
    r = cat.wlk("developments", "import", str(DEMO), "--if-empty")
    assert r.returncode == 0 and "nothing imported" in r.stdout


def test_the_demo_catalogue_carries_generated_floor_plans_served_to_anyone(cat):
    d = listing(cat, "limit=1&sort=default")["items"][0]
    full = cat.get(f"/v1/developments/{d['id']}").json()
    images = [lay["image"] for lay in full["layouts"]]
    assert images and all(images)
    assert set(full["albums"]) == {"rendering", "real", "show_flat", "floor_plan", "amenities"}
    assert full["albums"]["floor_plan"] and set(full["albums"]["floor_plan"]) <= set(images)
    r = cat.get(f"/v1/catalog/images/{images[0]}")
    assert r.status_code == 200 and r.headers["Content-Type"] == "image/png"
    assert r.content.startswith(b"\x89PNG") and "immutable" in r.headers["Cache-Control"]
    assert_error(cat.get("/v1/catalog/images/123"), 404, "not_found")


def test_staff_upload_catalogue_pictures_once_per_content(cat):
    from conftest import png_bytes
    admin = cat.token("admin1")
    png = png_bytes(5000)
    r = cat.post("/v1/admin/catalog/images", token=admin, data=png,
                 headers={"Content-Type": "image/png"})
    assert r.status_code == 201, r.content[:300]
    again = cat.post("/v1/admin/catalog/images", token=admin, data=png,
                     headers={"Content-Type": "image/png"})
    assert again.json()["id"] == r.json()["id"]
    assert cat.get(f"/v1/catalog/images/{r.json()['id']}").content == png
    assert_error(cat.post("/v1/admin/catalog/images", token=admin, data=b"GIF89a" + b"0" * 50,
                          headers={"Content-Type": "image/gif"}), 415, "unsupported_media_type")
    assert_error(cat.post("/v1/admin/catalog/images", token=admin, data=png_bytes(2 * 1024 * 1024 + 10),
                          headers={"Content-Type": "image/png"}), 413, "payload_too_large")
    assert_error(cat.post("/v1/admin/catalog/images", token=cat.token("reviewer1"), data=png,
                          headers={"Content-Type": "image/png"}), 403, "forbidden")
    doc = {**DOC, "name": "带图花园", "layouts": [{"name": "A", "rooms": 2, "area": 80,
                                                  "image": r.json()["id"]}],
           "albums": {"real": [r.json()["id"]]}}
    made = cat.post("/v1/admin/developments", token=admin, json=doc)
    assert made.status_code == 201 and made.json()["albums"]["real"] == [r.json()["id"]]


@pytest.mark.parametrize("change, field", [
    ({"albums": {"bogus": []}}, "albums.bogus"),
    ({"albums": {"real": ["abc"]}}, "albums.real"),
    ({"albums": []}, "albums"),
    ({"layouts": [{"name": "A", "rooms": 2, "area": 80, "image": "x1"}]}, "layouts[0].image"),
])
def test_bad_pictures_in_a_document_are_refused(cat, change, field):
    assert_error(cat.post("/v1/admin/developments", token=cat.token("admin1"),
                          json={**DOC, "name": "坏图花园", **change}), 422, "validation_failed", field)


def test_an_import_line_naming_a_missing_picture_is_refused(cat, tmp_path):
    f = tmp_path / "pics.jsonl"
    line = {**DOC, "ext_id": "pic-1", "name": "缺图花园",
            "layouts": [{"name": "A", "rooms": 2, "area": 80, "image_file": "nope.png"}]}
    ok = {**DOC, "ext_id": "pic-2", "name": "有图花园",
          "layouts": [{"name": "A", "rooms": 2, "area": 80, "image_file": "a.png"}]}
    from conftest import png_bytes
    (tmp_path / "a.png").write_bytes(png_bytes(777))
    f.write_text(json.dumps(line) + "\n" + json.dumps(ok) + "\n")
    r = cat.wlk("developments", "import", str(f))
    assert r.returncode == 1 and "line 1: validation_failed layouts[0].image_file" in r.stderr
    assert listing(cat, f"q={quote('缺图花园')}")["items"] == []
    got = listing(cat, f"q={quote('有图花园')}")["items"][0]
    img = cat.get(f"/v1/developments/{got['id']}").json()["layouts"][0]["image"]
    assert cat.get(f"/v1/catalog/images/{img}").content == png_bytes(777)
