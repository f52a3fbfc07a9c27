"""Pictures, audio, location and property cards in the browser (issue 10,
app 3): uploads with a progress bar, the server's refusal of a bad upload
shown in the page, and the separate `location` consent asked at the moment
of use (refusing keeps chat working)."""
import pytest

from browserkit import bubbles, browser, open_chat_with, person, type_and_send  # noqa: F401
from conftest import MEDIA_MIB, full_history, mp3_bytes, png_bytes


@pytest.fixture
def pair(shared_server, browser):
    a, b = person(browser, shared_server), person(browser, shared_server)
    conv = open_chat_with(a.b, b.id)
    return a, b, conv


def choose_file(b, path):
    b.click("[data-testid=attach]")
    b.button("图片")
    b.present("[data-testid=file]").send_keys(str(path))


def watch_progress(b):
    b.js("""window.__sawProgress = false;
      new MutationObserver(() => { if (document.querySelector('[data-testid=upload] progress'))
        window.__sawProgress = true; }).observe(document.body, {subtree: true, childList: true});""")


def errors_zh(srv):
    return {i["code"]: i["message_zh"] for i in srv.get("/v1/errors").json()["items"]}


def test_an_image_uploads_with_a_progress_bar_and_shows_in_both_chats(pair, tmp_path, shared_server):
    a, b, conv = pair
    f = tmp_path / "户型图.png"
    f.write_bytes(png_bytes(3 * MEDIA_MIB))
    watch_progress(a.b)
    choose_file(a.b, f)
    a.b.wait(lambda: any(m["kind"] == "image" and m["state"] in ("sent", "read")
                         for m in bubbles(a.b)), 20, "the image message")
    assert a.b.js("return window.__sawProgress"), "a progress bar while uploading"
    img = a.b.css("[data-kind=image] img")
    a.b.wait(lambda: a.b.js("return arguments[0].complete && arguments[0].naturalWidth", img) == 1,
             what="the picture to load from /v1/media")
    b.b.open(f"/chat/{conv}")
    img = b.b.css("[data-kind=image] img")
    b.b.wait(lambda: b.b.js("return arguments[0].complete && arguments[0].naturalWidth", img) == 1,
             what="the peer's copy to load")
    [m] = full_history(shared_server, b.token, conv)
    assert m["kind"] == "image" and m["body"]["media_id"]
    a.b.assert_accessible()
    for p in (a, b):
        p.b.assert_console_clean()


def test_an_audio_file_is_sent_with_its_length(pair, tmp_path, shared_server):
    a, b, conv = pair
    f = tmp_path / "voice.mp3"
    f.write_bytes(mp3_bytes(40))
    a.b.click("[data-testid=attach]")
    a.b.button("语音文件")
    a.b.present("[data-testid=file]").send_keys(str(f))
    a.b.wait(lambda: any(m["kind"] == "audio" and m["state"] in ("sent", "read")
                         for m in bubbles(a.b)), 20, "the audio message")
    [m] = full_history(shared_server, b.token, conv)
    assert m["kind"] == "audio" and m["body"]["duration_ms"] > 0
    a.b.css("[data-kind=audio] audio")
    a.b.assert_console_clean()


@pytest.mark.parametrize("name,data,code", [
    ("notes.txt", b"just text, not a picture", "unsupported_media_type"),
    ("fake.png", b"\x89PNG but not really" * 10, "unsupported_media_type"),
    ("huge.png", None, "payload_too_large"),
], ids=["wrong-type", "bytes-do-not-match", "too-large"])
def test_a_bad_upload_shows_the_servers_error_in_the_page(pair, tmp_path, shared_server, name, data,
                                                         code):
    a, b, conv = pair
    f = tmp_path / name
    f.write_bytes(data if data is not None else png_bytes(10 * MEDIA_MIB + 1))
    choose_file(a.b, f)
    alert = a.b.css(f"[data-testid=upload] [role=alert][data-error-code={code}]", timeout=20)
    assert errors_zh(shared_server)[code] in alert.text
    assert not [m for m in bubbles(a.b) if m["kind"] != "text"], "nothing was sent"
    assert full_history(shared_server, b.token, conv) == []
    # chat goes on
    type_and_send(a.b, "上传失败后还能发文字")
    a.b.wait(lambda: bubbles(a.b) and bubbles(a.b)[-1]["state"] in ("sent", "read"),
             what="the text")
    a.b.assert_console_clean(allow=[r"/v1/media .* (413|415)"])


def test_location_asks_its_separate_consent_first_and_refusing_keeps_chat_working(
        pair, shared_server):
    a, b, conv = pair
    a.b.click("[data-testid=attach]")
    a.b.click("[data-testid=send-location]")
    ask = a.b.css("[data-testid=consent-location]")
    assert "位置信息" in ask.text and "敏感" in ask.text
    a.b.assert_accessible()
    a.b.click("[data-testid=consent-refuse]")
    a.b.css("[data-testid=location-refused]")
    a.b.button("知道了").click()
    consents = shared_server.get("/v1/me/consents", token=a.token).json()["items"]
    assert not [c for c in consents if c["scope"] == "location" and c["granted_at"]]
    type_and_send(a.b, "不发位置也能聊天")
    a.b.wait(lambda: bubbles(a.b) and bubbles(a.b)[-1]["state"] in ("sent", "read"), what="text")
    assert [m["kind"] for m in full_history(shared_server, b.token, conv)] == ["text"]
    a.b.assert_console_clean()


def test_agreeing_to_location_records_the_consent_and_sends_the_place(pair, shared_server):
    a, b, conv = pair
    a.b.grant_geolocation(31.2304, 121.4737)
    a.b.click("[data-testid=attach]")
    a.b.click("[data-testid=send-location]")
    a.b.css("[data-testid=consent-location]")
    a.b.click("[data-testid=consent-agree]")
    a.b.type("input[maxlength='100']", "人民广场售楼处")
    a.b.click("[data-testid=location-send]")
    a.b.wait(lambda: any(m["kind"] == "location" and m["state"] in ("sent", "read")
                         for m in bubbles(a.b)), what="the location message")
    [m] = full_history(shared_server, b.token, conv)
    assert m["kind"] == "location" and m["body"]["name"] == "人民广场售楼处"
    assert abs(m["body"]["lat"] - 31.2304) < 1e-4 and abs(m["body"]["lng"] - 121.4737) < 1e-4
    consents = shared_server.get("/v1/me/consents", token=a.token).json()["items"]
    loc = [c for c in consents if c["scope"] == "location"]
    assert loc and loc[0]["granted_at"] and loc[0]["withdrawn_at"] is None
    # a second location: no second question
    a.b.click("[data-testid=attach]")
    a.b.click("[data-testid=send-location]")
    a.b.css("[data-testid=location-send]")
    assert not a.b.all("[data-testid=consent-location]")
    a.b.assert_console_clean()


def test_a_property_card_is_sent_and_shown(pair, shared_server):
    a, b, conv = pair
    a.b.click("[data-testid=attach]")
    a.b.click("[data-testid=send-property]")
    a.b.type("dialog input[maxlength='60']", "滨江壹号")
    a.b.type("dialog input[inputmode=numeric]", "52000")
    a.b.click("[data-testid=property-send]")
    a.b.wait(lambda: any(m["kind"] == "property" for m in bubbles(a.b)), what="the card")
    b.b.open(f"/chat/{conv}")
    b.b.wait_text("滨江壹号", "[data-kind=property]")
    assert "52000" in b.b.text("[data-kind=property]")
    [m] = full_history(shared_server, b.token, conv)
    assert m["body"] == {"name": "滨江壹号", "price_per_sqm": 52000}
    b.b.assert_console_clean()
