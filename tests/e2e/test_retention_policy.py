"""Policy versions (九): `wlk policy publish` adds versions, the old ones
stay archived byte for byte; a material version gates every business
route until accepted, a non-material one only shows a notice."""
import time

import engine

from conftest import assert_error, eventually, new_phone, ws_close, ws_connect, ws_request
from retention_util import wlk, wlk_ok

SHARED = ("--sqlite-lock", "shared")


def _versions(srv):
    r = srv.get("/v1/privacy/policy/versions")
    assert r.status_code == 200
    return r.json()["items"]


def test_an_unchanged_policy_publishes_nothing(make_server):
    srv = make_server(*SHARED)
    before = _versions(srv)
    out = wlk_ok(srv.data_dir, "policy", "publish", *SHARED)
    assert before[0]["version"] in out and "nothing published" in out
    for bad in (["--note", "same text"], ["--force"], ["--material"], ["--note", ""]):
        p = wlk(srv.data_dir, "policy", "publish", *SHARED, *bad)
        assert p.returncode == 2, (bad, p.stdout, p.stderr)
    assert _versions(srv) == before


def test_a_non_material_version_shows_a_notice_and_keeps_everything_open(make_server):
    srv = make_server(*SHARED)
    token, _ = srv.login(new_phone())
    first = srv.get("/v1/privacy/policy")
    assert "policy_notice" not in srv.get("/v1/me", token=token).json()
    wlk_ok(srv.data_dir, "policy", "publish", *SHARED, "--note", "措辞修订", "--force")
    items = _versions(srv)
    assert len(items) == 2 and items[0]["material"] is False and items[0]["note"] == "措辞修订"
    new = items[0]["version"]
    assert new != items[1]["version"]
    # a published version takes effect within a second (per-thread cache)
    notice = eventually(lambda: srv.get("/v1/me", token=token).json().get("policy_notice"),
                        timeout=5)
    assert notice and notice["version"] == new and notice["material"] is False
    assert notice["note"] == "措辞修订" and notice["published_at"] == items[0]["published_at"]
    assert srv.get("/v1/me/devices", token=token).status_code == 200
    old = srv.get(f"/v1/privacy/policy/{items[1]['version']}")
    assert old.content == first.content
    # a restart publishes nothing more: the text is the same
    srv.stop()
    srv.assert_clean()
    srv = make_server(*SHARED, data_dir=srv.data_dir)
    assert [v["version"] for v in _versions(srv)] == [v["version"] for v in items]


def test_a_material_version_asks_every_user_to_accept_it_again(make_server):
    srv = make_server(*SHARED)
    token, _ = srv.login(new_phone())
    assert srv.get("/v1/me/devices", token=token).status_code == 200
    out = wlk_ok(srv.data_dir, "policy", "publish", *SHARED, "--material", "--note", "新增接收方",
                 "--force")
    assert "material" in out
    new = _versions(srv)[0]
    assert new["material"] is True

    def gated():  # a Response with an error status is falsy: wrap it
        r = srv.get("/v1/me/devices", token=token)
        return [r] if r.status_code == 403 else None
    got = eventually(gated, timeout=5)
    assert got, "the material version did not gate within 5 s"
    r = got[0]
    err = assert_error(r, 403, "policy_update_required")
    assert err.get("version") == new["version"]
    me = srv.get("/v1/me", token=token)  # rights stay open, with the notice
    assert me.status_code == 200 and me.json()["policy_notice"]["material"] is True
    # a new account accepts the new version and is served
    t2, _ = srv.login(new_phone())
    assert srv.get("/v1/me/devices", token=t2).status_code == 200
    # the existing account accepts it, and is served again; the old
    # version is no longer accepted as an answer
    old = _versions(srv)[1]["version"]
    r = srv.request("PUT", "/v1/me/consents/policy", token=token, json={"version": old})
    assert r.status_code == 422, r.text
    r = srv.request("PUT", "/v1/me/consents/policy", token=token, json={"version": new["version"]})
    assert r.status_code in (200, 204), r.text
    assert srv.get("/v1/me/devices", token=token).status_code == 200
    me = srv.get("/v1/me", token=token).json()
    assert me["policy"]["version"] == new["version"] and "policy_notice" not in me


def test_a_changed_data_map_is_always_material(make_server):
    # As if the latest version had been published by a build whose map had
    # other categories, purposes or recipients: its stored fingerprint
    # differs from this build's. Publishing without --material must still
    # be material.
    srv = make_server(*SHARED)
    token, _ = srv.login(new_phone())
    srv.stop()
    srv.assert_clean()
    con = engine.connect(srv.data_dir)
    with con:
        con.execute("UPDATE policy_versions SET fingerprint = 'fedcba9876543210'")
    con.close()
    out = wlk_ok(srv.data_dir, "policy", "publish", "--note", "新增类别", "--force")
    assert "material" in out
    srv = make_server(*SHARED, data_dir=srv.data_dir)
    items = _versions(srv)
    assert len(items) == 2 and items[0]["material"] is True
    assert_error(srv.get("/v1/me/devices", token=token), 403, "policy_update_required")


def test_many_wording_only_versions_never_lock_anyone_out(make_server):
    srv = make_server(*SHARED)
    token, _ = srv.login(new_phone())
    for i in range(18):  # more than the gate caches per thread
        wlk_ok(srv.data_dir, "policy", "publish", *SHARED, "--note", f"措辞 {i}", "--force")
    assert len(_versions(srv)) == 19
    time.sleep(1.2)  # past the gate's refresh, so the new versions are seen
    assert srv.get("/v1/me/devices", token=token).status_code == 200


def test_an_open_websocket_is_gated_by_a_material_version_too(make_server):
    srv = make_server(*SHARED)
    token, _ = srv.login(new_phone())
    ws = ws_connect(srv, token)
    try:
        assert ws_request(ws, {"type": "ping"})["type"] == "pong"
        wlk_ok(srv.data_dir, "policy", "publish", *SHARED, "--material", "--note", "新增接收方",
               "--force")

        def gated():
            reply = ws_request(ws, {"type": "ping"})
            return reply if reply.get("type") == "error" else None
        reply = eventually(gated, timeout=5)
        assert reply and reply["code"] == "policy_update_required", reply
    finally:
        ws_close(ws)
