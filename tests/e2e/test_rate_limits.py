"""SMS rate limits: per-phone interval, per-phone daily limit, per-IP limit,
plus 50 concurrent sign-ins."""
import time
from concurrent.futures import ThreadPoolExecutor

from conftest import assert_error, new_phone, new_session, retry_after


def test_second_code_within_the_default_interval_is_rate_limited(server):
    phone = new_phone()
    assert server.request_code(phone).status_code == 202
    server.read_sms(phone)
    r = server.request_code(phone)
    assert_error(r, 429, "rate_limited")
    assert 1 <= retry_after(r) <= 60


def test_a_rate_limited_request_sends_no_sms(server):
    phone = new_phone()
    server.send_code(phone)
    assert_error(server.request_code(phone), 429, "rate_limited")
    time.sleep(0.5)
    assert len(server.sms_lines(phone)) == 1


def test_the_interval_is_per_phone(server):
    a, b = new_phone(), new_phone()
    assert server.request_code(a).status_code == 202
    assert server.request_code(b).status_code == 202


def test_a_code_is_allowed_again_after_the_interval(make_server):
    srv = make_server("--sms-interval", "1")
    phone = new_phone()
    srv.send_code(phone)
    r = srv.request_code(phone)
    assert_error(r, 429, "rate_limited")
    wait = retry_after(r)
    assert wait == 1
    time.sleep(wait + 0.2)
    assert srv.request_code(phone).status_code == 202
    srv.read_sms(phone, min_count=2)
    assert len(srv.sms_lines(phone)) == 2


def test_codes_over_the_daily_limit_are_rate_limited(make_server):
    srv = make_server("--sms-daily-limit", "3", "--sms-interval", "0")
    phone = new_phone()
    for i in range(3):
        r = srv.request_code(phone)
        assert r.status_code == 202, (i, r.status_code, r.content)
    r = srv.request_code(phone)
    assert_error(r, 429, "rate_limited")
    assert 1 <= retry_after(r) <= 86400
    # the limit is per phone
    assert srv.request_code(new_phone()).status_code == 202


def test_codes_over_the_ip_limit_are_rate_limited(make_server):
    srv = make_server("--sms-ip-limit", "5")
    for i in range(5):
        r = srv.request_code(new_phone())
        assert r.status_code == 202, (i, r.status_code, r.content)
    phone = new_phone()
    r = srv.request_code(phone)
    assert_error(r, 429, "rate_limited")
    assert 1 <= retry_after(r) <= 3600
    time.sleep(0.3)
    assert srv.sms_lines(phone) == []


def test_rate_limited_codes_do_not_break_the_last_good_code(make_server):
    srv = make_server("--sms-interval", "60")
    phone = new_phone()
    code = srv.send_code(phone)
    assert_error(srv.request_code(phone), 429, "rate_limited")
    r = srv.post("/v1/auth/login", json=srv.login_body(phone, code, accept=srv.policy_version()))
    assert r.status_code == 200


def test_fifty_concurrent_sign_ins_all_succeed(make_server):
    srv = make_server("--sms-ip-limit", "1000")
    phones = [new_phone() for _ in range(50)]
    version = srv.policy_version()

    def sign_in(i):
        s = new_session()
        try:
            phone = phones[i]
            code = srv.send_code(phone, s=s)
            r = srv.post("/v1/auth/login", s=s,
                         json=srv.login_body(phone, code, f"dev-{i}", accept=version))
            assert r.status_code == 200, r.content
            j = r.json()
            me = srv.get("/v1/me", token=j["token"], s=s)
            assert me.status_code == 200
            return j["token"], me.json()["id"], j["new_user"]
        finally:
            s.close()

    with ThreadPoolExecutor(max_workers=50) as pool:
        results = list(pool.map(sign_in, range(50)))
    tokens = {t for t, _, _ in results}
    users = {u for _, u, _ in results}
    assert len(tokens) == 50
    assert len(users) == 50
    assert all(new for _, _, new in results)
