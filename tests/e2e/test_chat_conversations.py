"""Conversations: one per pair, listing, the Conversation shape and its
counters (last_seq, read_seq, peer_read_seq, unread)."""
import time

import pytest

from conftest import (ID_RE, assert_error, make_chat_user, open_conversation, send_text)


def _conv(srv, token, conv_id):
    r = srv.get(f"/v1/conversations/{conv_id}", token=token)
    assert r.status_code == 200, r.content[:300]
    return r.json()


def _list(srv, token, **params):
    r = srv.get("/v1/conversations", token=token, params=params)
    assert r.status_code == 200, r.content[:300]
    j = r.json()
    assert set(j) >= {"items", "next_cursor"}, j
    return j


def _list_all(srv, token, limit):
    out, cursor = [], None
    for _ in range(50):
        params = {"limit": limit}
        if cursor is not None:
            params["cursor"] = cursor
        j = _list(srv, token, **params)
        assert len(j["items"]) <= limit
        out.extend(j["items"])
        cursor = j["next_cursor"]
        if cursor is None:
            return out
        assert isinstance(cursor, str) and cursor, j
    raise AssertionError("conversation paging does not end")


def test_creating_a_conversation_returns_201_with_the_full_shape(shared_server, two_users):
    a, b = two_users
    r = shared_server.post("/v1/conversations", token=a.token, json={"peer_id": b.id})
    assert r.status_code == 201, r.content[:300]
    c = r.json()
    assert ID_RE.fullmatch(c["id"]), c
    assert c["peer"]["id"] == b.id
    assert "nickname" in c["peer"]
    assert isinstance(c["created_at"], int) and c["created_at"] > 1_600_000_000_000
    assert c["last_seq"] == 0
    assert c["read_seq"] == 0
    assert c["peer_read_seq"] == 0
    assert c["unread"] == 0
    assert c["last_message"] is None


def test_the_same_pair_gets_the_same_conversation_whichever_side_creates_it(shared_server,
                                                                           two_users):
    a, b = two_users
    first = open_conversation(shared_server, a, b, expect=201)
    r = shared_server.post("/v1/conversations", token=a.tokens[1], json={"peer_id": b.id})
    assert r.status_code == 200
    assert r.json()["id"] == first["id"]
    r = shared_server.post("/v1/conversations", token=b.token, json={"peer_id": a.id})
    assert r.status_code == 200
    assert r.json()["id"] == first["id"]
    assert r.json()["peer"]["id"] == a.id


def test_the_peer_nickname_is_shown(shared_server):
    a = make_chat_user(shared_server, devices=1)
    b = make_chat_user(shared_server, devices=1, nickname="小王")
    c = open_conversation(shared_server, a, b)
    assert c["peer"] == {"id": b.id, "nickname": "小王", "avatar_media_id": None}
    back = open_conversation(shared_server, b, a)
    assert back["peer"]["id"] == a.id
    assert back["peer"]["nickname"] is None


def test_an_unknown_peer_is_404(shared_server, two_users):
    a, _ = two_users
    r = shared_server.post("/v1/conversations", token=a.token, json={"peer_id": "987654321987"})
    assert_error(r, 404, "not_found")


def test_a_conversation_with_yourself_is_422_peer_id(shared_server, two_users):
    a, _ = two_users
    r = shared_server.post("/v1/conversations", token=a.token, json={"peer_id": a.id})
    assert_error(r, 422, "validation_failed", field="peer_id")


@pytest.mark.parametrize("bad", [None, 12, "", "abc", "12a", "-5", "1.5", [], {}])
def test_a_peer_id_that_is_not_a_decimal_id_string_is_422(shared_server, two_users, bad):
    a, _ = two_users
    r = shared_server.post("/v1/conversations", token=a.token, json={"peer_id": bad})
    assert_error(r, 422, "validation_failed", field="peer_id")


def test_a_missing_peer_id_is_422(shared_server, two_users):
    a, _ = two_users
    r = shared_server.post("/v1/conversations", token=a.token, json={})
    assert_error(r, 422, "validation_failed", field="peer_id")


def test_an_unknown_field_in_a_new_conversation_is_422(shared_server, two_users):
    a, b = two_users
    r = shared_server.post("/v1/conversations", token=a.token, json={"peer_id": b.id, "x": 1})
    assert_error(r, 422, "validation_failed", field="x")


def test_conversations_need_a_token(shared_server, two_users):
    a, b = two_users
    assert_error(shared_server.post("/v1/conversations", json={"peer_id": b.id}), 401, "unauthorized")
    assert_error(shared_server.get("/v1/conversations"), 401, "unauthorized")
    c = open_conversation(shared_server, a, b)
    assert_error(shared_server.get(f"/v1/conversations/{c['id']}"), 401, "unauthorized")


def test_get_conversation_returns_it_to_both_members(shared_server, two_users):
    a, b = two_users
    c = open_conversation(shared_server, a, b)
    mine = _conv(shared_server, a.tokens[1], c["id"])
    assert mine["id"] == c["id"] and mine["peer"]["id"] == b.id
    theirs = _conv(shared_server, b.token, c["id"])
    assert theirs["id"] == c["id"] and theirs["peer"]["id"] == a.id


def test_an_unknown_conversation_is_404(shared_server, two_users):
    a, _ = two_users
    assert_error(shared_server.get("/v1/conversations/987654321987", token=a.token), 404, "not_found")


def test_the_counters_follow_messages_and_reads(shared_server, two_users):
    a, b = two_users
    c = open_conversation(shared_server, a, b)
    sent = [send_text(shared_server, b.token, c["id"], f"m{i}") for i in range(3)]
    av = _conv(shared_server, a.token, c["id"])
    assert av["last_seq"] == 3
    assert av["unread"] == 3
    assert av["read_seq"] == 0
    assert av["last_message"]["id"] == sent[-1]["id"]
    assert av["last_message"]["seq"] == 3
    bv = _conv(shared_server, b.token, c["id"])
    assert bv["last_seq"] == 3
    assert bv["unread"] == 0  # only the peer's messages count
    assert bv["peer_read_seq"] == 0

    r = shared_server.post(f"/v1/conversations/{c['id']}/read", token=a.token, json={"seq": 2})
    assert r.status_code == 204
    av = _conv(shared_server, a.tokens[1], c["id"])
    assert av["read_seq"] == 2
    assert av["unread"] == 1
    bv = _conv(shared_server, b.token, c["id"])
    assert bv["peer_read_seq"] == 2

    # a lower read position is accepted and ignored
    r = shared_server.post(f"/v1/conversations/{c['id']}/read", token=a.token, json={"seq": 1})
    assert r.status_code == 204
    assert _conv(shared_server, a.token, c["id"])["read_seq"] == 2
    assert _conv(shared_server, b.token, c["id"])["peer_read_seq"] == 2

    r = shared_server.post(f"/v1/conversations/{c['id']}/read", token=a.token, json={"seq": 3})
    assert r.status_code == 204
    av = _conv(shared_server, a.token, c["id"])
    assert av["read_seq"] == 3 and av["unread"] == 0


def test_the_list_shows_the_most_recently_active_conversation_first(shared_server):
    me = make_chat_user(shared_server, devices=1)
    peers = [make_chat_user(shared_server, devices=1) for _ in range(3)]
    convs = []
    for p in peers:
        convs.append(open_conversation(shared_server, me, p)["id"])
        time.sleep(0.01)
    ids = [c["id"] for c in _list(shared_server, me.token, limit=100)["items"]]
    assert ids == convs[::-1], "without messages: newest first"

    send_text(shared_server, peers[0].token, convs[0])  # the oldest becomes the most recent
    time.sleep(0.01)
    items = _list(shared_server, me.token)["items"]
    assert [c["id"] for c in items] == [convs[0], convs[2], convs[1]]
    assert items[0]["last_message"]["conversation_id"] == convs[0]
    assert items[0]["unread"] == 1

    send_text(shared_server, me.token, convs[1])
    items = _list(shared_server, me.token)["items"]
    assert [c["id"] for c in items] == [convs[1], convs[0], convs[2]]


def test_the_list_pages_with_next_cursor(shared_server):
    me = make_chat_user(shared_server, devices=1)
    for _ in range(5):
        open_conversation(shared_server, me, make_chat_user(shared_server, devices=1))
        time.sleep(0.005)
    whole = _list(shared_server, me.token, limit=100)
    assert whole["next_cursor"] is None
    assert len(whole["items"]) == 5
    for limit in (1, 2, 3):
        paged = _list_all(shared_server, me.token, limit)
        assert [c["id"] for c in paged] == [c["id"] for c in whole["items"]], limit


def test_the_list_holds_only_my_conversations(shared_server, two_users):
    a, b = two_users
    c = open_conversation(shared_server, a, b)
    other = make_chat_user(shared_server, devices=1)
    assert _list(shared_server, other.token)["items"] == []
    assert [x["id"] for x in _list(shared_server, b.tokens[1])["items"]] == [c["id"]]


@pytest.mark.parametrize("bad", ["0", "101", "-1", "abc", "1.5", ""])
def test_a_bad_list_limit_is_422(shared_server, two_users, bad):
    a, _ = two_users
    r = shared_server.get("/v1/conversations", token=a.token, params={"limit": bad})
    assert_error(r, 422, "validation_failed", field="limit")


@pytest.mark.parametrize("bad", ["!!!", "not a cursor", "@@@@"])
def test_a_bad_list_cursor_is_422(shared_server, two_users, bad):
    a, _ = two_users
    r = shared_server.get("/v1/conversations", token=a.token, params={"cursor": bad})
    assert_error(r, 422, "validation_failed", field="cursor")


def test_the_list_limit_bounds_are_accepted(shared_server, two_users):
    a, _ = two_users
    for limit in ("1", "100"):
        r = shared_server.get("/v1/conversations", token=a.token, params={"limit": limit})
        assert r.status_code == 200
