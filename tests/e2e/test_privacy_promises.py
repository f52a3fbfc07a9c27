"""Privacy promises, each a test named after it."""
import re
import time

from conftest import db_file_bytes, assert_error, dashed, masked, new_phone, phone_digits, wrong_code

# An 11-digit mainland mobile number standing alone (not part of a longer
# number such as a millisecond timestamp or a 64-bit id).
PHONE_RE = re.compile(rb"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")


def _clear_forms(phone):
    """The byte strings that would give a phone away."""
    d = phone_digits(phone)
    forms = {d, "+86" + d, "86" + d, dashed(phone), f"{d[:3]}-{d[3:7]}-{d[7:]}",
             f"{d[:3]} {d[3:7]} {d[7:]}"}
    out = set()
    for f in forms:
        out.add(f.encode())
        out.add(f.encode("utf-16-le"))
    return out


def _exercise(srv, phones):
    """Sign-ins in several phone forms, a re-login, a PATCH, a failed code,
    a refused consent and a rate-limited request: every path that handles a
    phone."""
    tokens = []
    for i, p in enumerate(phones):
        form = [p, "+86" + p, dashed(p)][i % 3]
        token, _ = srv.login(form, device_id=f"dev-{i}", name=f"device {i}")
        tokens.append(token)
    # re-login of an existing user (phone lookup)
    srv.login(phones[0], device_id="dev-x", accept=False)
    # PATCH
    r = srv.patch("/v1/me", token=tokens[0], json={"nickname": "隐私测试", "role": "agent"})
    assert r.status_code == 200
    # wrong code, consent refused
    extra = new_phone()
    code = srv.send_code(extra)
    assert_error(srv.post("/v1/auth/login", json=srv.login_body(extra, wrong_code(code))), 401, "invalid_code")
    assert_error(srv.post("/v1/auth/login", json=srv.login_body(extra, code)), 403, "consent_required")
    phones.append(extra)
    # read paths
    for t in tokens:
        assert srv.get("/v1/me", token=t).status_code == 200
        assert srv.get("/v1/me/devices", token=t).status_code == 200
        assert srv.get("/v1/me/consents", token=t).status_code == 200
    return tokens




def _assert_no_phone(blob, phones, where):
    for p in phones:
        for form in _clear_forms(p):
            found = form in blob  # not inline: keep a large blob out of the report
            assert not found, f"{masked(p)} in clear ({form!r}) in {where}"


def test_the_database_never_holds_a_phone_in_clear(make_server):
    srv = make_server("--sms-interval", "0")
    phones = [new_phone() for _ in range(6)]
    _exercise(srv, phones)
    time.sleep(0.3)
    _assert_no_phone(db_file_bytes(srv), phones, "the database (running)")
    _assert_no_phone(srv.log_text().encode(), phones, "the stderr log")
    assert srv.stop() == 0
    _assert_no_phone(db_file_bytes(srv), phones, "the database (after shutdown)")
    # nothing else in the data directory except the SMS sink holds it either
    for path in srv.data_dir.rglob("*"):
        if path.is_file() and path.parent.name != "sink":
            _assert_no_phone(path.read_bytes(), phones, str(path))


def test_logs_show_phone_numbers_only_masked(make_server):
    srv = make_server("--sms-interval", "60", "--log-level", "debug")
    phones = [new_phone() for _ in range(3)]
    tokens = []
    for i, p in enumerate(phones):
        token, _ = srv.login([p, "+86" + p, dashed(p)][i], device_id=f"d{i}")
        tokens.append(token)
    # a rate-limited request and a bad login for a known phone
    assert_error(srv.request_code(dashed(phones[0])), 429, "rate_limited")
    assert_error(srv.post("/v1/auth/login", json=srv.login_body(phones[1], "000000")), 401, "invalid_code")
    srv.patch("/v1/me", token=tokens[0], json={"nickname": "log-test"})
    time.sleep(0.5)  # let the outbox worker log its hand-over
    log = srv.log_text().encode()
    _assert_no_phone(log, phones, "the stderr log")
    stray = PHONE_RE.findall(log)
    assert not stray, f"phone-like numbers in the log: {sorted(set(stray))[:5]}"
    # the log may name a phone only in its masked form; request ids are
    # random hex and may happen to look like a dashed number: not scanned
    scanned = re.sub(rb'("request_id":"|request )[0-9a-f]{16}', b"", log)
    for m in re.finditer(rb"(?<![0-9])1[3-9][0-9][^0-9]{0,6}[0-9]{4}[^0-9]{0,6}[0-9]{4}(?![0-9])", scanned):
        assert b"****" in m.group(0), f"unmasked phone-like text in the log: {m.group(0)!r}"


def test_api_responses_show_phone_numbers_only_masked(make_server):
    srv = make_server("--sms-interval", "0")
    phone = new_phone()
    bodies = []
    code = srv.send_code(phone)
    r = srv.post("/v1/auth/login", json=srv.login_body(phone, code))
    bodies.append(r.content)
    r = srv.post("/v1/auth/login", json=srv.login_body(phone, code, accept=srv.policy_version()))
    assert r.status_code == 200
    bodies.append(r.content)
    token = r.json()["token"]
    for path in ("/v1/me", "/v1/me/devices", "/v1/me/consents", "/metrics"):
        bodies.append(srv.get(path, token=token).content)
    bodies.append(srv.patch("/v1/me", token=token, json={"nickname": "n"}).content)
    blob = b"".join(bodies)
    _assert_no_phone(blob, [phone], "API responses")
    assert masked(phone).encode() in blob


def test_the_sms_provider_receives_only_the_phone_and_the_code(server):
    phone = new_phone()
    server.send_code(phone)
    line = server.sms_lines(phone)[-1]
    assert set(line) == {"to", "template", "params", "at"}
    assert set(line["params"]) == {"code"}
