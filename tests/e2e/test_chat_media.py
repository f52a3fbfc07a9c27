"""Media: upload type detection and size limits, download with ranges,
EXIF GPS / XMP removal from JPEG, access rules, and media messages."""
import os

import pytest

from conftest import (ID_RE, JPEG_SCAN_TAIL, MEDIA_MIB, MEDIA_SAMPLES, aac_bytes, amr_bytes,
                      assert_error, gps_markers, healthy, history, jpeg_plain, jpeg_with_gps,
                      make_chat_user, mp3_bytes, mp4_bytes, ogg_bytes, open_conversation, png_bytes,
                      post_message, sha256_hex, upload_media, upload_ok, webp_bytes)


@pytest.fixture
def user(shared_server):
    return make_chat_user(shared_server, devices=1)


def _download(srv, token, media_id, **kw):
    return srv.get(f"/v1/media/{media_id}", token=token, **kw)


def _ctype(r):
    return r.headers.get("Content-Type", "").split(";")[0].strip().lower()


# ------------------------------------------------------------------ upload

@pytest.mark.parametrize("ctype", sorted(MEDIA_SAMPLES))
def test_each_accepted_type_is_stored_and_served_byte_for_byte(shared_server, user, ctype):
    data = MEDIA_SAMPLES[ctype]()
    j = upload_ok(shared_server, user.token, data, ctype)
    assert set(j) >= {"id", "content_type", "size", "sha256"}, j
    assert ID_RE.fullmatch(j["id"]), j
    assert j["content_type"] == ctype
    r = _download(shared_server, user.token, j["id"])
    assert r.status_code == 200
    assert _ctype(r) == ctype
    assert j["size"] == len(r.content)
    assert j["sha256"] == sha256_hex(r.content)
    assert r.content == data, "a file without metadata to strip is kept as it is"


@pytest.mark.parametrize("data,declared", [
    (png_bytes(), "image/jpeg"),
    (jpeg_plain(), "image/png"),
    (webp_bytes(), "image/png"),
    (png_bytes(), "image/webp"),
    (mp3_bytes(), "audio/aac"),
    (aac_bytes(), "audio/mpeg"),
    (ogg_bytes(), "audio/amr"),
    (amr_bytes(), "audio/ogg"),
    (mp4_bytes(), "audio/mpeg"),
    (mp3_bytes(), "video/mp4"),
    (jpeg_plain(), "video/mp4"),
    (mp4_bytes(), "image/jpeg"),
], ids=lambda v: v if isinstance(v, str) else None)
def test_a_declared_type_that_does_not_match_the_bytes_is_415(shared_server, user, data, declared):
    assert_error(upload_media(shared_server, user.token, data, declared), 415, "unsupported_media_type")


@pytest.mark.parametrize("data,declared", [
    (b"hello, this is just text\n" * 20, "image/png"),
    (b"\x00" * 1000, "image/jpeg"),
    (b"RIFF\x10\x00\x00\x00WAVEfmt " + b"\x00" * 100, "image/webp"),
    (b"\x89PNX\r\n\x1a\n" + b"\x00" * 100, "image/png"),
    (b"%PDF-1.7\n" + b"x" * 100, "audio/mpeg"),
])
def test_unknown_bytes_are_415(shared_server, user, data, declared):
    assert_error(upload_media(shared_server, user.token, data, declared), 415, "unsupported_media_type")


@pytest.mark.parametrize("data,declared", [
    (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "image/gif"),
    (png_bytes(), "application/octet-stream"),
    (b"plain text", "text/plain"),
    (png_bytes(), "application/json"),
    (b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 100, "audio/wav"),
])
def test_any_other_type_is_415(shared_server, user, data, declared):
    assert_error(upload_media(shared_server, user.token, data, declared), 415, "unsupported_media_type")


@pytest.mark.parametrize("declared", ["image/png", "audio/mpeg"])
def test_an_empty_upload_is_415(shared_server, user, declared):
    assert_error(upload_media(shared_server, user.token, b"", declared), 415, "unsupported_media_type")


def test_an_image_of_exactly_10_mib_is_accepted_and_one_byte_more_is_413(shared_server, user):
    data = png_bytes(10 * MEDIA_MIB)
    j = upload_ok(shared_server, user.token, data, "image/png")
    assert j["size"] == 10 * MEDIA_MIB
    assert j["sha256"] == sha256_hex(data)
    big = png_bytes(10 * MEDIA_MIB + 1)
    assert_error(upload_media(shared_server, user.token, big, "image/png"), 413, "payload_too_large")
    healthy(shared_server)


def test_audio_may_be_larger_than_an_image_up_to_50_mib(shared_server, user):
    data = mp3_bytes(frames=(11 * MEDIA_MIB) // 417)
    assert len(data) > 10 * MEDIA_MIB
    j = upload_ok(shared_server, user.token, data, "audio/mpeg")
    assert j["size"] == len(data)
    big = mp3_bytes(frames=(50 * MEDIA_MIB) // 417 + 1)
    assert len(big) > 50 * MEDIA_MIB
    assert_error(upload_media(shared_server, user.token, big, "audio/mpeg"), 413, "payload_too_large")
    healthy(shared_server)


def test_upload_and_download_need_a_token(shared_server, user):
    assert_error(upload_media(shared_server, None, png_bytes(), "image/png"), 401, "unauthorized")
    j = upload_ok(shared_server, user.token, png_bytes(), "image/png")
    assert_error(shared_server.get(f"/v1/media/{j['id']}"), 401, "unauthorized")


def test_unknown_media_is_404(shared_server, user):
    assert_error(_download(shared_server, user.token, "987654321987"), 404, "not_found")


# ------------------------------------------------------------------- range

def test_a_range_request_is_206_with_content_range(shared_server, user):
    data = png_bytes(1000)
    mid = upload_ok(shared_server, user.token, data, "image/png")["id"]
    for spec, lo, hi in (("0-9", 0, 9), ("990-999", 990, 999), ("100-100", 100, 100),
                         ("0-999", 0, 999)):
        r = _download(shared_server, user.token, mid, headers={"Range": f"bytes={spec}"})
        assert r.status_code == 206, (spec, r.status_code)
        assert r.headers.get("Content-Range") == f"bytes {lo}-{hi}/1000", spec
        assert r.content == data[lo:hi + 1], spec
        assert int(r.headers["Content-Length"]) == hi - lo + 1
        assert _ctype(r) == "image/png"


def test_an_open_ended_range_runs_to_the_end(shared_server, user):
    data = png_bytes(1000)
    mid = upload_ok(shared_server, user.token, data, "image/png")["id"]
    r = _download(shared_server, user.token, mid, headers={"Range": "bytes=500-"})
    assert r.status_code == 206
    assert r.headers.get("Content-Range") == "bytes 500-999/1000"
    assert r.content == data[500:]


@pytest.mark.parametrize("spec", ["1000-1010", "5000-6000", "1000-"])
def test_an_unsatisfiable_range_is_416(shared_server, user, spec):
    data = png_bytes(1000)
    mid = upload_ok(shared_server, user.token, data, "image/png")["id"]
    r = _download(shared_server, user.token, mid, headers={"Range": f"bytes={spec}"})
    assert r.status_code == 416, (spec, r.status_code, r.content[:200])
    # the whole file is still served without a Range
    r = _download(shared_server, user.token, mid)
    assert r.status_code == 200 and r.content == data


# --------------------------------------------------------------------- GPS

@pytest.mark.parametrize("order", ["<", ">"], ids=["little-endian", "big-endian"])
def test_gps_is_removed_from_jpeg_uploads(shared_server, user, order):
    data = jpeg_with_gps(order)
    markers = gps_markers(order)
    assert all(m in data for m in markers)
    j = upload_ok(shared_server, user.token, data, "image/jpeg")
    assert j["content_type"] == "image/jpeg"
    r = _download(shared_server, user.token, j["id"])
    assert r.status_code == 200 and _ctype(r) == "image/jpeg"
    body = r.content
    for m in markers:
        assert m not in body, f"GPS bytes {m!r} still in the served JPEG"
    assert body[:2] == b"\xff\xd8", "still a JPEG"
    assert body.endswith(JPEG_SCAN_TAIL), "the image data is kept"
    assert len(body) < len(data)
    assert j["size"] == len(body), "size is of the cleaned bytes"
    assert j["sha256"] == sha256_hex(body), "sha256 is of the cleaned bytes"
    # ranges serve the cleaned bytes too
    r = _download(shared_server, user.token, j["id"], headers={"Range": f"bytes=0-{len(body) - 1}"})
    assert r.status_code == 206 and r.content == body


def test_a_jpeg_without_gps_keeps_its_image_data(shared_server, user):
    data = jpeg_plain()
    j = upload_ok(shared_server, user.token, data, "image/jpeg")
    body = _download(shared_server, user.token, j["id"]).content
    assert body.startswith(b"\xff\xd8") and body.endswith(JPEG_SCAN_TAIL)
    assert j["sha256"] == sha256_hex(body)


# ------------------------------------------------------------------ access

def test_the_peer_sees_media_only_once_a_message_references_it(shared_server, two_users):
    a, b = two_users
    cid = open_conversation(shared_server, a, b)["id"]
    data = png_bytes(300)
    mid = upload_ok(shared_server, a.token, data, "image/png")["id"]
    assert _download(shared_server, a.tokens[1], mid).status_code == 200  # the uploader's other device
    assert_error(_download(shared_server, b.token, mid), 404, "not_found")
    r = post_message(shared_server, a.token, cid, "image", {"media_id": mid})
    assert r.status_code == 201, r.content[:300]
    for t in b.tokens:
        r = _download(shared_server, t, mid)
        assert r.status_code == 200 and r.content == data
    stranger = make_chat_user(shared_server, devices=1)
    assert_error(_download(shared_server, stranger.token, mid), 404, "not_found")


# ---------------------------------------------------------- media messages

def test_image_audio_and_video_messages_reference_matching_media(shared_server, two_users):
    a, b = two_users
    cid = open_conversation(shared_server, a, b)["id"]
    img = upload_ok(shared_server, a.token, webp_bytes(), "image/webp")["id"]
    aud = upload_ok(shared_server, a.token, amr_bytes(), "audio/amr")["id"]
    vid = upload_ok(shared_server, a.token, mp4_bytes(), "video/mp4")["id"]
    sent = []
    for kind, body in (("image", {"media_id": img}),
                       ("audio", {"media_id": aud, "duration_ms": 3200}),
                       ("video", {"media_id": vid, "duration_ms": 86400000})):
        r = post_message(shared_server, a.token, cid, kind, body)
        assert r.status_code == 201, (kind, r.content[:300])
        m = r.json()
        assert m["kind"] == kind
        assert m["body"]["media_id"] == body["media_id"]
        if "duration_ms" in body:
            assert m["body"]["duration_ms"] == body["duration_ms"]
        sent.append(m)
    assert history(shared_server, b.token, cid)["items"] == sent


@pytest.mark.parametrize("kind,media,extra,field", [
    ("image", "audio", {}, "body.media_id"),
    ("image", "video", {}, "body.media_id"),
    ("audio", "image", {"duration_ms": 10}, "body.media_id"),
    ("audio", "video", {"duration_ms": 10}, "body.media_id"),
    ("video", "audio", {"duration_ms": 10}, "body.media_id"),
    ("video", "image", {"duration_ms": 10}, "body.media_id"),
    ("audio", "audio", {}, "body.duration_ms"),
    ("audio", "audio", {"duration_ms": -1}, "body.duration_ms"),
    ("audio", "audio", {"duration_ms": 86400001}, "body.duration_ms"),
    ("audio", "audio", {"duration_ms": "10"}, "body.duration_ms"),
    ("audio", "audio", {"duration_ms": 1.5}, "body.duration_ms"),
    ("video", "video", {}, "body.duration_ms"),
    ("image", "image", {"duration_ms": 10}, "body.duration_ms"),
])
def test_a_media_message_with_the_wrong_media_or_duration_is_422(shared_server, two_users, kind,
                                                                 media, extra, field):
    a, b = two_users
    cid = open_conversation(shared_server, a, b)["id"]
    sample = {"image": (png_bytes(), "image/png"), "audio": (ogg_bytes(), "audio/ogg"),
              "video": (mp4_bytes(), "video/mp4")}[media]
    mid = upload_ok(shared_server, a.token, *sample)["id"]
    r = post_message(shared_server, a.token, cid, kind, {"media_id": mid, **extra})
    assert_error(r, 422, "validation_failed", field=field)


def test_media_of_another_user_cannot_be_sent(shared_server, two_users):
    a, b = two_users
    cid = open_conversation(shared_server, a, b)["id"]
    theirs = upload_ok(shared_server, b.token, png_bytes(), "image/png")["id"]
    r = post_message(shared_server, a.token, cid, "image", {"media_id": theirs})
    assert_error(r, 422, "validation_failed", field="body.media_id")
    # ... even once it was sent to me: only the uploader sends it
    r = post_message(shared_server, b.token, cid, "image", {"media_id": theirs})
    assert r.status_code == 201
    r = post_message(shared_server, a.token, cid, "image", {"media_id": theirs})
    assert_error(r, 422, "validation_failed", field="body.media_id")


def test_a_media_id_that_is_not_a_string_is_422(shared_server, two_users):
    a, b = two_users
    cid = open_conversation(shared_server, a, b)["id"]
    for bad in (123, None, "", "abc"):
        r = post_message(shared_server, a.token, cid, "image", {"media_id": bad})
        assert_error(r, 422, "validation_failed", field="body.media_id")


def test_a_large_video_streams_back_whole_and_in_ranges_across_chunks(shared_server):
    # 20 MiB: the download is decrypted and sent piece by piece, never held whole
    u = make_chat_user(shared_server)
    data = mp4_bytes() + os.urandom(20 * 1024 * 1024)
    m = upload_ok(shared_server, u.token, data, "video/mp4")
    r = shared_server.get(f"/v1/media/{m['id']}", token=u.token, timeout=60)
    assert r.status_code == 200
    assert int(r.headers["Content-Length"]) == len(data)
    assert sha256_hex(r.content) == m["sha256"] == sha256_hex(data)
    lo, hi = 65536 * 3 - 10, 65536 * 5 + 10  # spans three chunk boundaries
    r = shared_server.get(f"/v1/media/{m['id']}", token=u.token,
                          headers={"Range": f"bytes={lo}-{hi}"})
    assert r.status_code == 206
    assert r.content == data[lo:hi + 1]
    assert r.headers["Content-Range"] == f"bytes {lo}-{hi}/{len(data)}"


def test_a_suffix_range_gives_the_last_bytes(shared_server):
    u = make_chat_user(shared_server)
    data = png_bytes(1000)
    m = upload_ok(shared_server, u.token, data, "image/png")
    r = shared_server.get(f"/v1/media/{m['id']}", token=u.token, headers={"Range": "bytes=-100"})
    assert r.status_code == 206
    assert r.content == data[-100:]
    assert r.headers["Content-Range"] == f"bytes 900-999/{len(data)}"
    r = shared_server.get(f"/v1/media/{m['id']}", token=u.token, headers={"Range": "bytes=-5000"})
    assert r.status_code == 206 and r.content == data
