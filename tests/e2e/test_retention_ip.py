"""Client addresses: a browse-only client's address is kept at most 24
hours (as a keyed hash, for the per-IP limit); the security log keeps a
keyed hash of the /24 or /48 only; X-Forwarded-For counts only from a
trusted proxy (--trusted-proxy)."""
import pytest

import engine

from conftest import ServerDidNotStart, assert_error, new_phone, make_chat_user
from retention_util import count, query, wlk_ok


def _code(srv, xff=None, phone=None):
    headers = {"X-Forwarded-For": xff} if xff else {}
    return srv.post("/v1/auth/sms-code", json={"phone": phone or new_phone()}, headers=headers)


def test_a_browse_only_ip_leaves_no_trace_after_25_hours(make_server):
    srv = make_server()
    assert _code(srv).status_code == 202
    srv.stop()
    srv.assert_clean()
    d = srv.data_dir
    assert count(d, "SELECT COUNT(*) FROM rate_hits") == 1
    wlk_ok(d, "purge", "--now", "+25h")
    assert count(d, "SELECT COUNT(*) FROM rate_hits") == 0
    # nowhere else: neither the database nor the log holds the address
    blob = engine.db_bytes(d)
    assert b"127.0.0.1" not in blob
    assert "127.0.0.1" not in srv.log_text().replace(f"127.0.0.1:{srv.port}", "")


def test_forwarded_for_from_an_untrusted_peer_is_ignored(make_server):
    srv = make_server("--sms-ip-limit", "2", "--sms-interval", "0")
    assert _code(srv, "198.51.100.1").status_code == 202
    assert _code(srv, "198.51.100.2").status_code == 202
    assert_error(_code(srv, "198.51.100.3"), 429, "rate_limited")  # all counted as 127.0.0.1


def test_forwarded_for_from_a_trusted_proxy_names_the_client(make_server):
    srv = make_server("--sms-ip-limit", "2", "--sms-interval", "0", "--trusted-proxy",
                      "127.0.0.1")
    assert _code(srv, "198.51.100.1").status_code == 202
    # a client-forged entry on the left does not change who the client is
    assert _code(srv, "203.0.113.9, 198.51.100.1").status_code == 202
    assert_error(_code(srv, "198.51.100.1"), 429, "rate_limited")
    assert _code(srv, "198.51.100.2").status_code == 202
    assert _code(srv).status_code == 202  # no header: the proxy itself


def test_a_bad_trusted_proxy_list_stops_the_start(make_server):
    with pytest.raises(ServerDidNotStart) as e:
        make_server("--trusted-proxy", "127.0.0.1,not-an-address")
    assert e.value.rc != 0


def _sign_in_from(srv, phone, device, xff):
    code = srv.send_code(phone)
    r = srv.post("/v1/auth/login", headers={"X-Forwarded-For": xff},
                 json=srv.login_body(phone, code, device))
    assert r.status_code == 200, r.content[:300]


def test_the_security_log_keeps_a_hash_of_the_network_not_the_address(make_server):
    srv = make_server("--sms-interval", "0", "--trusted-proxy", "127.0.0.1")
    u = make_chat_user(srv, devices=1)
    _sign_in_from(srv, u.phone, "dev-b", "198.51.100.7")
    _sign_in_from(srv, u.phone, "dev-c", "198.51.100.200")
    _sign_in_from(srv, u.phone, "dev-d", "203.0.113.5")
    _sign_in_from(srv, u.phone, "dev-e", "2001:db8:1:2::9")
    _sign_in_from(srv, u.phone, "dev-f", "2001:db8:1:ffff::1")
    srv.stop()
    srv.assert_clean()
    rows = query(srv.data_dir, "SELECT ip_net_hash FROM security_events WHERE user_id = ? "
                               "ORDER BY at, id", (int(u.id),))
    h = [r[0] for r in rows]
    assert len(h) == 5 and all(isinstance(x, bytes) and len(x) == 32 for x in h)
    assert h[0] == h[1]  # same /24
    assert h[2] != h[0]
    assert h[3] == h[4] and h[3] != h[0]  # same /48
    blob = engine.db_bytes(srv.data_dir)
    for ip in (b"198.51.100", b"203.0.113", b"2001:db8"):
        assert ip not in blob
