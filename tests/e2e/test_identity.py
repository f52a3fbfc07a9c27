"""Identity verification (issue 13, F2, 三.一.2) and the minors' rules (八,
F20): the separate consent, the ID number's checks, the face and bank card
checks through the verify provider (local driver: the documented rule),
the photo or card erased once the check is done (database, data directory,
export), under 18 refused, under 14 leaving no trace, and bad input."""
import base64
import json
import os
import time
from datetime import date

import pytest

import engine
from conftest import (SHARED_FLAGS, assert_error, db_file_bytes, eventually, grant_consent,
                      jpeg_plain, new_phone, phone_digits, png_bytes, read_jsonl)
from rights_helpers import cancel, export

SHARED_LOCK = ("--sqlite-lock", "shared")
CHECK_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def id_number(birth="19900307", region="330106", seq="123"):
    """A valid 18-character ID number (GB 11643) for that birth date."""
    first = region + birth + seq
    return first + "10X98765432"[sum(int(d) * w for d, w in zip(first, CHECK_WEIGHTS)) % 11]


def years_ago(years, days=0):
    t = date.today()
    d = date(t.year - years, t.month, min(t.day, 28))
    return date.fromordinal(d.toordinal() + days).strftime("%Y%m%d")


def luhn_card(prefix="622202100"):
    digits = prefix + "123456"
    total = 0
    for i, d in enumerate(reversed(digits + "0")):
        n = int(d)
        if i % 2 == 1:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return digits + str((10 - total % 10) % 10)


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    from conftest import Server, _finish, _require_binary
    _require_binary()
    s = Server(tmp_path_factory.mktemp("identity"), (*SHARED_FLAGS, *SHARED_LOCK))
    s.start()
    yield s
    _finish([s])


def consenting_user(srv):
    token, _, phone = srv.new_user()
    grant_consent(srv, token, "identity_verification")
    return token, phone


def face_body(name="张三", number=None, photo=None):
    return {"method": "face", "name": name, "id_number": number or id_number(),
            "face_photo": base64.b64encode(photo or jpeg_plain()).decode()}


def wait_status(srv, token, want, timeout=10.0):
    def done():
        j = srv.get("/v1/me/identity", token=token).json()
        return j if j["status"] in want else None
    return eventually(done, timeout=timeout)


def rows(srv, sql, params=()):
    con = engine.connect(srv.data_dir)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def sink(srv, name):
    return read_jsonl(srv.data_dir / "sink" / f"{name}.jsonl", lambda o: True)


def data_dir_bytes(srv):
    """Every file of the data directory but the sink (what reached the
    providers, the world outside), and the database."""
    out = b""
    for root, dirs, files in os.walk(srv.data_dir):
        dirs[:] = [d for d in dirs if d != "sink"]
        for f in files:
            try:
                with open(os.path.join(root, f), "rb") as fh:
                    out += fh.read()
            except OSError:
                pass
    return out + db_file_bytes(srv)


def test_identity_verification_is_refused_without_its_separate_consent(srv):
    token, _, _ = srv.new_user()
    r = srv.post("/v1/me/identity", token=token, json=face_body())
    e = assert_error(r, 403, "consent_required")
    assert e["scope"] == "identity_verification"
    assert srv.get("/v1/me/identity", token=token).json() == {"status": "none"}


def test_the_policy_names_the_consent_and_the_retention_of_photos_and_cards(srv):
    text = srv.get("/v1/privacy/policy").text
    assert "实名认证" in text and "认证完成即删除" in text


def test_a_face_check_verifies_and_the_photo_is_gone_from_database_disk_and_export(srv):
    token, phone = consenting_user(srv)
    photo = png_bytes(4096)
    number = id_number("19880512", seq="457")
    r = srv.post("/v1/me/identity", token=token, json=face_body("李四", number, photo))
    assert r.status_code == 202, r.content[:300]
    assert r.json()["status"] in ("checking", "verified")
    j = wait_status(srv, token, {"verified", "failed"})
    assert j["status"] == "verified" and j["name"] == "李四" and j["method"] == "face"
    assert j["id_masked"] == number[:2] + "*" * 14 + number[-2:]
    assert isinstance(j["checked_at"], int)
    # the photo: erased from the row, never in the data directory or the sink
    (ev,), = rows(srv, "SELECT COUNT(*) FROM identities WHERE evidence_enc IS NOT NULL "
                       "AND id = ?", (int(j["id"]),))
    assert ev == 0
    b64 = base64.b64encode(photo).decode()
    blob = data_dir_bytes(srv)
    assert photo[-200:] not in blob and b64[100:200].encode() not in blob
    assert number.encode() not in blob and "李四".encode() not in blob
    check = [o for o in sink(srv, "verify") if o.get("check_id") == j["id"]]
    assert len(check) == 1
    assert check[0]["name"] == "李四" and check[0]["id_number"] == number
    assert set(check[0]["face_photo"]) == {"sha256_of_base64", "base64_bytes"}
    # the export: the verified name and number, no photo
    ex = export(srv, token, phone).json()
    cats = ex["categories"] if "categories" in ex else ex
    text = json.dumps(ex, ensure_ascii=False)
    assert "李四" in text and number in text and b64[:64] not in text
    disclosed = json.dumps(cats, ensure_ascii=False)
    assert "verify_provider" in disclosed


def test_a_face_check_that_fails_keeps_the_reason_and_no_photo(srv):
    token, _ = consenting_user(srv)
    r = srv.post("/v1/me/identity", token=token, json=face_body("王五不符", photo=jpeg_plain()))
    assert r.status_code == 202
    j = wait_status(srv, token, {"verified", "failed"})
    assert j["status"] == "failed" and j["reason"] == "name_mismatch" and j.get("name") is None
    (ev,), = rows(srv, "SELECT COUNT(*) FROM identities WHERE id = ? AND evidence_enc IS NULL",
                  (int(j["id"]),))
    assert ev == 1
    # a new attempt replaces it
    r = srv.post("/v1/me/identity", token=token, json=face_body("王五"))
    assert r.status_code == 202
    assert wait_status(srv, token, {"verified", "failed"})["status"] == "verified"
    assert_error(srv.post("/v1/me/identity", token=token, json=face_body("王五")), 409, "conflict")


def card_body(phone, name="赵六", card=None):
    return {"method": "bank_card", "name": name, "id_number": id_number("19791101"),
            "bank_card": card or luhn_card(), "reserved_phone": phone}


def card_code(srv, phone, timeout=5.0):
    to = "+86" + phone_digits(phone)

    def got():
        lines = [o for o in sink(srv, "sms") if o.get("to") == to and o["template"] == "bank_code"]
        return lines[-1]["params"]["code"] if lines else None
    return eventually(got, timeout=timeout)


def test_a_bank_card_check_sends_a_code_to_the_reserved_phone_then_verifies(srv):
    token, _ = consenting_user(srv)
    reserved = new_phone()
    card = luhn_card("621700")
    r = srv.post("/v1/me/identity", token=token, json=card_body(reserved, card=card))
    assert r.status_code == 202, r.content[:300]
    assert r.json()["status"] == "code_sent"
    code = card_code(srv, reserved)
    wrong = "000000" if code != "000000" else "111111"
    assert_error(srv.post("/v1/me/identity/code", token=token, json={"code": wrong}), 401,
                 "invalid_code")
    r = srv.post("/v1/me/identity/code", token=token, json={"code": code})
    assert r.status_code == 202, r.content[:300]
    j = wait_status(srv, token, {"verified", "failed"})
    assert j["status"] == "verified" and j["method"] == "bank_card"
    check = [o for o in sink(srv, "verify") if o.get("check_id") == j["id"]][0]
    assert check["bank_card"] == card and check["reserved_phone"] == phone_digits(reserved)
    assert card.encode() not in data_dir_bytes(srv)
    # the code is used once
    assert_error(srv.post("/v1/me/identity/code", token=token, json={"code": code}), 404,
                 "not_found")


def test_a_bank_card_that_fails_the_luhn_check_is_not_verified(srv):
    token, _ = consenting_user(srv)
    reserved = new_phone()
    card = luhn_card()
    bad = card[:-1] + str((int(card[-1]) + 1) % 10)
    assert srv.post("/v1/me/identity", token=token,
                    json=card_body(reserved, card=bad)).status_code == 202
    srv.post("/v1/me/identity/code", token=token, json={"code": card_code(srv, reserved)})
    j = wait_status(srv, token, {"verified", "failed"})
    assert j["status"] == "failed" and j["reason"] == "card_invalid"


def minor_refusals(srv):
    text = srv.get("/metrics").text
    for line in text.splitlines():
        if line.startswith("wlk_identity_minor_refusals_total "):
            return int(float(line.split()[1]))
    return 0


def test_an_under_18_id_number_is_refused(srv):
    token, _ = consenting_user(srv)
    before = minor_refusals(srv)
    number = id_number(years_ago(17))
    assert_error(srv.post("/v1/me/identity", token=token, json=face_body("钱七", number)), 403,
                 "minor_not_allowed")
    assert srv.get("/v1/me/identity", token=token).json() == {"status": "none"}
    assert minor_refusals(srv) == before + 1
    # eighteen today is old enough
    r = srv.post("/v1/me/identity", token=token,
                 json=face_body("钱七", id_number(years_ago(18))))
    assert r.status_code == 202


def test_an_under_14_attempt_leaves_no_trace_in_the_database_or_the_data_directory(srv):
    token, _ = consenting_user(srv)
    before = minor_refusals(srv)
    number = id_number(years_ago(13, days=-3), seq="871")
    name = "孙小童"
    photo = png_bytes(3000)
    assert_error(srv.post("/v1/me/identity", token=token, json=face_body(name, number, photo)),
                 403, "minor_not_allowed")
    assert minor_refusals(srv) == before + 1
    time.sleep(0.3)  # anything the server would write has been written
    blob = data_dir_bytes(srv)
    for needle in (number.encode(), number[6:14].encode(), name.encode(), photo[-300:],
                   base64.b64encode(photo)[50:150]):
        assert needle not in blob
    assert name not in srv.log_text() and number not in srv.log_text()
    assert srv.get("/v1/me/identity", token=token).json() == {"status": "none"}
    # an anonymous security event only: none is tied to this account
    me = srv.get("/v1/me", token=token).json()
    (n,), = rows(srv, "SELECT COUNT(*) FROM security_events WHERE user_id = ? AND kind LIKE "
                      "'identity.%'", (int(me["id"]),))
    assert n == 0


@pytest.mark.parametrize("number, why", [
    ("33010619900307123", "length"),
    ("3301061990030712345", "length"),
    ("33010619900307A23X", "digits"),
    ("99010619900307123X", "region"),
    (id_number("19900230")[:17] + "0", "birth"),
    (id_number("20991231"), "birth"),
    (id_number()[:17] + ("0" if id_number()[17] != "0" else "1"), "checksum"),
])
def test_id_number_errors_are_refused_naming_the_field(srv, number, why):
    token, _ = consenting_user(srv)
    assert_error(srv.post("/v1/me/identity", token=token, json={**face_body(), "id_number": number}),
                 422, "validation_failed", "id_number")


def test_a_lower_case_x_check_character_is_accepted(srv):
    for seq in range(100, 200):
        n = id_number(seq=str(seq))
        if n.endswith("X"):
            break
    token, _ = consenting_user(srv)
    r = srv.post("/v1/me/identity", token=token, json=face_body(number=n[:17] + "x"))
    assert r.status_code == 202, r.content[:300]
    assert r.json()["id_masked"].endswith("X")


@pytest.mark.parametrize("change, status, code, field", [
    ({"method": "iris"}, 422, "validation_failed", "method"),
    ({"name": "A"}, 422, "validation_failed", "name"),
    ({"name": "张三3"}, 422, "validation_failed", "name"),
    ({"face_photo": None}, 422, "validation_failed", "face_photo"),
    ({"face_photo": "not base64!"}, 422, "validation_failed", "face_photo"),
    ({"face_photo": base64.b64encode(b"GIF89a" + b"\0" * 40).decode()}, 415,
     "unsupported_media_type", "face_photo"),
    ({"face_photo": base64.b64encode(png_bytes(600 * 1024)).decode()}, 413, "payload_too_large",
     "face_photo"),
    ({"extra": 1}, 422, "validation_failed", "extra"),
])
def test_bad_face_input_is_refused_and_nothing_written(srv, change, status, code, field):
    token, _ = consenting_user(srv)
    body = {**face_body(), **change}
    if change.get("face_photo", "") is None:
        del body["face_photo"]
    assert_error(srv.post("/v1/me/identity", token=token, json=body), status, code, field)
    assert srv.get("/v1/me/identity", token=token).json() == {"status": "none"}


@pytest.mark.parametrize("change, field", [
    ({"bank_card": "6222abc"}, "bank_card"),
    ({"bank_card": "12345"}, "bank_card"),
    ({"reserved_phone": "12345"}, "reserved_phone"),
    ({"reserved_phone": None}, "reserved_phone"),
])
def test_bad_card_input_is_refused(srv, change, field):
    token, _ = consenting_user(srv)
    body = {**card_body(new_phone()), **change}
    body = {k: v for k, v in body.items() if v is not None}
    assert_error(srv.post("/v1/me/identity", token=token, json=body), 422, "validation_failed",
                 field)


def test_a_code_without_a_waiting_card_check_is_not_found(srv):
    token, _ = consenting_user(srv)
    assert_error(srv.post("/v1/me/identity/code", token=token, json={"code": "123456"}), 404,
                 "not_found")


def test_cancellation_erases_the_verification(srv):
    token, phone = consenting_user(srv)
    srv.post("/v1/me/identity", token=token, json=face_body("周八"))
    j = wait_status(srv, token, {"verified"})
    cancel(srv, token, phone)
    assert rows(srv, "SELECT COUNT(*) FROM identities WHERE id = ?", (int(j["id"]),))[0][0] == 0
