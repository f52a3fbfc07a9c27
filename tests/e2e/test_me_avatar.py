"""The profile picture (头像, data-map category avatar): an image the user
uploaded, set and removed with PATCH /v1/me, seen by the peers of their
conversations and nobody else, exported, and erased with the account."""
from conftest import (assert_error, make_chat_user, mp3_bytes, open_conversation, png_bytes,
                      upload_ok)
from rights_helpers import cancel, export


def set_avatar(srv, token, media_id):
    return srv.patch("/v1/me", token=token, json={"avatar_media_id": media_id})


def test_a_profile_picture_is_set_seen_by_peers_only_and_removed(shared_server):
    srv = shared_server
    a, b, stranger = make_chat_user(srv), make_chat_user(srv), make_chat_user(srv)
    conv = open_conversation(srv, a, b)
    pic = upload_ok(srv, a.token, png_bytes(), "image/png")["id"]
    r = set_avatar(srv, a.token, pic)
    assert r.status_code == 200 and r.json()["avatar_media_id"] == pic
    assert srv.get("/v1/me", token=a.token).json()["avatar_media_id"] == pic
    peer = srv.get(f"/v1/conversations/{conv['id']}", token=b.token).json()["peer"]
    assert peer["avatar_media_id"] == pic
    assert srv.get(f"/v1/media/{pic}", token=b.token).status_code == 200, "a peer sees it"
    assert_error(srv.get(f"/v1/media/{pic}", token=stranger.token), 404, "not_found")
    r = set_avatar(srv, a.token, None)
    assert r.status_code == 200 and r.json()["avatar_media_id"] is None
    assert_error(srv.get(f"/v1/media/{pic}", token=b.token), 404, "not_found")


def test_only_an_image_of_ones_own_can_be_the_picture(shared_server):
    srv = shared_server
    a, b = make_chat_user(srv), make_chat_user(srv)
    sound = upload_ok(srv, a.token, mp3_bytes(), "audio/mpeg")["id"]
    theirs = upload_ok(srv, b.token, png_bytes(), "image/png")["id"]
    for bad in (sound, theirs, "123"):
        assert_error(set_avatar(srv, a.token, bad), 422, "validation_failed",
                     field="avatar_media_id")
    assert_error(set_avatar(srv, a.token, 5), 422, "validation_failed", field="avatar_media_id")
    assert srv.get("/v1/me", token=a.token).json()["avatar_media_id"] is None


def test_the_picture_is_exported_and_erased_with_the_account(make_server):
    srv = make_server("--sms-interval", "0")
    a, b = make_chat_user(srv), make_chat_user(srv)
    open_conversation(srv, a, b)
    pic = upload_ok(srv, a.token, png_bytes(), "image/png")["id"]
    assert set_avatar(srv, a.token, pic).status_code == 200
    data = export(srv, a.token, a.phone).json()
    assert data["categories"]["avatar"]["collected"] is True
    assert data["categories"]["avatar"]["records"]["avatar_media_id"] == pic
    report = cancel(srv, a.token, a.phone)
    assert any(s["category"] == "avatar" for s in report["stores"])
    assert_error(srv.get(f"/v1/media/{pic}", token=b.token), 404, "not_found")
    assert not (srv.data_dir / "media" / pic).exists()
