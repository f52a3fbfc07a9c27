"""Messages: sending, ordering (seq 1..N without gaps), idempotency by
client_id, kinds and their validation, history paging, read positions and
recall."""
import threading
import time

import pytest

from conftest import (ID_RE, assert_error, chat_server, full_history, history, is_event,
                      make_chat_user, new_session, open_conversation, post_message, recv_frames,
                      send_text)


def _conv_id(srv, a, b):
    return open_conversation(srv, a, b)["id"]


# ------------------------------------------------------------------ sending

def test_a_text_message_is_201_with_the_full_shape(shared_server, two_users):
    a, b = two_users
    cid = _conv_id(shared_server, a, b)
    before = int(time.time() * 1000)
    r = post_message(shared_server, a.token, cid, "text", {"text": "你好, world"}, client_id="c-1")
    assert r.status_code == 201, r.content[:300]
    m = r.json()
    assert ID_RE.fullmatch(m["id"]), m
    assert m["conversation_id"] == cid
    assert m["seq"] == 1
    assert m["sender_id"] == a.id
    assert m["client_id"] == "c-1"
    assert m["kind"] == "text"
    assert m["body"] == {"text": "你好, world"}
    assert isinstance(m["created_at"], int) and before - 5000 <= m["created_at"] <= before + 60000
    assert m["recalled_at"] is None


def test_seq_starts_at_1_per_conversation(shared_server):
    a = make_chat_user(shared_server, devices=1)
    b = make_chat_user(shared_server, devices=1)
    c = make_chat_user(shared_server, devices=1)
    ab = _conv_id(shared_server, a, b)
    ac = _conv_id(shared_server, a, c)
    assert [send_text(shared_server, a.token, ab)["seq"] for _ in range(3)] == [1, 2, 3]
    assert send_text(shared_server, a.token, ac)["seq"] == 1
    assert send_text(shared_server, c.token, ac)["seq"] == 2
    assert send_text(shared_server, b.token, ab)["seq"] == 4


def test_two_users_on_two_devices_each_get_gapless_seqs_in_history_order(shared_server, two_users,
                                                                         open_ws):
    a, b = two_users
    cid = _conv_id(shared_server, a, b)
    conns = [open_ws(shared_server, t) for t in a.tokens + b.tokens]
    per_sender = 25
    results = {}
    errors = []

    def sender(idx, token):
        s = new_session()
        got = []
        try:
            for i in range(per_sender):
                r = post_message(shared_server, token, cid, "text", {"text": f"t{idx}-{i}"},
                                 client_id=f"t{idx}-{i}", s=s)
                if r.status_code != 201:
                    errors.append((r.status_code, r.content[:200]))
                    return
                got.append(r.json())
        finally:
            results[idx] = got
            s.close()

    threads = [threading.Thread(target=sender, args=(i, t)) for i, t in enumerate(a.tokens + b.tokens)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors[:3]
    total = per_sender * len(threads)
    acked = [m for ms in results.values() for m in ms]
    assert sorted(m["seq"] for m in acked) == list(range(1, total + 1))
    for idx, ms in results.items():  # each sender's own messages in its send order
        assert [m["seq"] for m in ms] == sorted(m["seq"] for m in ms), idx

    items = full_history(shared_server, b.tokens[1], cid)
    assert [m["seq"] for m in items] == list(range(1, total + 1))
    by_id = {m["id"]: m for m in acked}
    assert len(by_id) == total
    for m in items:
        assert by_id[m["id"]]["seq"] == m["seq"]
        assert m["body"]["text"] == m["client_id"]

    # every device sees every message, in seq order
    for ws in conns:
        frames = recv_frames(ws, is_event("message.created",
                                          lambda e: e["data"]["message"]["conversation_id"] == cid),
                             total, timeout=20)
        evs = [f["event"] for f in frames]
        assert [e["data"]["message"]["seq"] for e in evs] == list(range(1, total + 1))
        ev_seqs = [e["seq"] for e in evs]
        assert ev_seqs == sorted(ev_seqs) and len(set(ev_seqs)) == total


# ------------------------------------------------------------- idempotency

def test_the_same_client_id_again_is_200_and_the_same_message(shared_server, two_users):
    a, b = two_users
    cid = _conv_id(shared_server, a, b)
    first = post_message(shared_server, a.token, cid, "text", {"text": "once"}, client_id="dup-1")
    assert first.status_code == 201
    send_text(shared_server, b.token, cid)
    again = post_message(shared_server, a.token, cid, "text", {"text": "once"}, client_id="dup-1")
    assert again.status_code == 200
    assert again.json() == first.json()
    # even with another kind and body, and from the sender's other device
    other = post_message(shared_server, a.tokens[1], cid, "property", {"x": 1}, client_id="dup-1")
    assert other.status_code == 200
    assert other.json() == first.json()
    items = history(shared_server, a.token, cid)["items"]
    assert [m["seq"] for m in items] == [1, 2]
    assert sum(1 for m in items if m["client_id"] == "dup-1") == 1


def test_the_same_client_id_from_the_peer_is_a_new_message(shared_server, two_users):
    a, b = two_users
    cid = _conv_id(shared_server, a, b)
    ma = post_message(shared_server, a.token, cid, client_id="same").json()
    r = post_message(shared_server, b.token, cid, client_id="same")
    assert r.status_code == 201
    assert r.json()["id"] != ma["id"] and r.json()["seq"] == 2


def test_the_same_client_id_in_another_conversation_is_a_new_message(shared_server):
    a = make_chat_user(shared_server, devices=1)
    b = make_chat_user(shared_server, devices=1)
    c = make_chat_user(shared_server, devices=1)
    r1 = post_message(shared_server, a.token, _conv_id(shared_server, a, b), client_id="k")
    r2 = post_message(shared_server, a.token, _conv_id(shared_server, a, c), client_id="k")
    assert r1.status_code == 201 and r2.status_code == 201
    assert r1.json()["id"] != r2.json()["id"]


def test_concurrent_sends_with_one_client_id_make_one_message(shared_server, two_users):
    a, b = two_users
    cid = _conv_id(shared_server, a, b)
    out = []
    barrier = threading.Barrier(8)

    def go(token):
        s = new_session()
        barrier.wait()
        r = post_message(shared_server, token, cid, "text", {"text": "race"}, client_id="race-1", s=s)
        out.append((r.status_code, r.json()))
        s.close()

    threads = [threading.Thread(target=go, args=(a.tokens[i % 2],)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(st for st, _ in out) == [200] * 7 + [201]
    assert len({j["id"] for _, j in out}) == 1
    assert {j["seq"] for _, j in out} == {1}
    assert [m["client_id"] for m in history(shared_server, b.token, cid)["items"]] == ["race-1"]


# -------------------------------------------------------------- validation

def _bad(srv, user, cid, payload, field):
    r = srv.post(f"/v1/conversations/{cid}/messages", token=user.token, json=payload)
    assert_error(r, 422, "validation_failed", field=field)


@pytest.mark.parametrize("payload,field", [
    ({"kind": "text", "body": {"text": "x"}}, "client_id"),
    ({"client_id": "", "kind": "text", "body": {"text": "x"}}, "client_id"),
    ({"client_id": "x" * 65, "kind": "text", "body": {"text": "x"}}, "client_id"),
    ({"client_id": 5, "kind": "text", "body": {"text": "x"}}, "client_id"),
    ({"client_id": "c", "body": {"text": "x"}}, "kind"),
    ({"client_id": "c", "kind": "sticker", "body": {"text": "x"}}, "kind"),
    ({"client_id": "c", "kind": None, "body": {"text": "x"}}, "kind"),
    ({"client_id": "c", "kind": "call", "body": {"call_id": "x", "outcome": "missed", "duration_ms": 0}}, "kind"),
    ({"client_id": "c", "kind": "text"}, "body"),
    ({"client_id": "c", "kind": "text", "body": "hello"}, "body"),
    ({"client_id": "c", "kind": "text", "body": None}, "body"),
    ({"client_id": "c", "kind": "text", "body": {}}, "body.text"),
    ({"client_id": "c", "kind": "text", "body": {"text": ""}}, "body.text"),
    ({"client_id": "c", "kind": "text", "body": {"text": 7}}, "body.text"),
    ({"client_id": "c", "kind": "text", "body": {"text": "a" * 4001}}, "body.text"),
    ({"client_id": "c", "kind": "text", "body": {"text": "汉" * 4001}}, "body.text"),
    ({"client_id": "c", "kind": "text", "body": {"text": "x", "y": 1}}, "body.y"),
    ({"client_id": "c", "kind": "text", "body": {"text": "x"}, "extra": 1}, "extra"),
    ({"client_id": "c", "kind": "property", "body": [1, 2]}, "body"),
    ({"client_id": "c", "kind": "property", "body": {"k": "v" * 4100}}, "body"),
    ({"client_id": "c", "kind": "image", "body": {}}, "body.media_id"),
    ({"client_id": "c", "kind": "image", "body": {"media_id": "987654321987"}}, "body.media_id"),
    ({"client_id": "c", "kind": "audio", "body": {"media_id": "987654321987", "duration_ms": 5}}, "body.media_id"),
    ({"client_id": "c", "kind": "video", "body": {"media_id": "987654321987", "duration_ms": 5}}, "body.media_id"),
])
def test_a_bad_message_is_422_naming_the_field(shared_server, two_users, payload, field):
    a, b = two_users
    cid = _conv_id(shared_server, a, b)
    _bad(shared_server, a, cid, payload, field)
    assert history(shared_server, a.token, cid)["items"] == []


def test_the_longest_client_id_and_text_are_accepted(shared_server, two_users):
    a, b = two_users
    cid = _conv_id(shared_server, a, b)
    r = post_message(shared_server, a.token, cid, "text", {"text": "汉" * 4000}, client_id="x" * 64)
    assert r.status_code == 201, r.content[:300]
    assert r.json()["body"]["text"] == "汉" * 4000
    r = post_message(shared_server, a.token, cid, "text", {"text": "😀" * 4000})
    assert r.status_code == 201, r.content[:300]


def test_a_property_message_keeps_its_object(shared_server, two_users):
    a, b = two_users
    cid = _conv_id(shared_server, a, b)
    body = {"listing_id": "L-1", "price": 5200000, "rooms": [3, 2, 1], "tags": {"南北通透": True},
            "pad": "p" * 3000}
    r = post_message(shared_server, a.token, cid, "property", body)
    assert r.status_code == 201, r.content[:300]
    assert r.json()["body"] == body
    assert history(shared_server, b.token, cid)["items"][-1]["body"] == body


def test_a_property_of_exactly_4096_compact_bytes_is_accepted(shared_server, two_users):
    a, b = two_users
    cid = _conv_id(shared_server, a, b)
    base = len('{"k":""}')
    body = {"k": "v" * (4096 - base)}
    r = post_message(shared_server, a.token, cid, "property", body)
    assert r.status_code == 201, r.content[:300]
    body = {"k": "v" * (4097 - base)}
    r = post_message(shared_server, a.token, cid, "property", body)
    assert_error(r, 422, "validation_failed", field="body")


def test_messages_to_an_unknown_conversation_are_404(shared_server, two_users):
    a, _ = two_users
    r = post_message(shared_server, a.token, "987654321987")
    assert_error(r, 404, "not_found")


def test_messages_need_a_token(shared_server, two_users):
    a, b = two_users
    cid = _conv_id(shared_server, a, b)
    r = shared_server.post(f"/v1/conversations/{cid}/messages",
                           json={"client_id": "c", "kind": "text", "body": {"text": "x"}})
    assert_error(r, 401, "unauthorized")
    assert_error(shared_server.get(f"/v1/conversations/{cid}/messages"), 401, "unauthorized")


# ----------------------------------------------------------------- history

@pytest.fixture(scope="module")
def sixty(shared_server):
    """A conversation of 60 text messages (seq 1..60), shared read-only."""
    a = make_chat_user(shared_server, devices=1)
    b = make_chat_user(shared_server, devices=1)
    cid = _conv_id(shared_server, a, b)
    s = new_session()
    for i in range(1, 61):
        send_text(shared_server, (a, b)[i % 2].token, cid, f"n{i}", client_id=f"n{i}", s=s)
    s.close()
    return a, b, cid


def _seqs(j):
    return [m["seq"] for m in j["items"]]


def test_history_defaults_to_the_latest_50_ascending(shared_server, sixty):
    a, _, cid = sixty
    j = history(shared_server, a.token, cid)
    assert _seqs(j) == list(range(11, 61))
    assert j["has_more"] is True
    assert [m["body"]["text"] for m in j["items"]] == [f"n{i}" for i in range(11, 61)]


def test_history_limit_takes_the_latest(shared_server, sixty):
    a, _, cid = sixty
    j = history(shared_server, a.token, cid, limit=5)
    assert _seqs(j) == [56, 57, 58, 59, 60] and j["has_more"] is True
    j = history(shared_server, a.token, cid, limit=200)
    assert _seqs(j) == list(range(1, 61)) and j["has_more"] is False


def test_history_after_seq_gives_the_first_messages_after_it(shared_server, sixty):
    a, b, cid = sixty
    j = history(shared_server, b.token, cid, after_seq=0, limit=50)
    assert _seqs(j) == list(range(1, 51)) and j["has_more"] is True
    j = history(shared_server, b.token, cid, after_seq=50, limit=50)
    assert _seqs(j) == list(range(51, 61)) and j["has_more"] is False
    j = history(shared_server, b.token, cid, after_seq=60)
    assert j["items"] == [] and j["has_more"] is False
    j = history(shared_server, b.token, cid, after_seq=10, limit=10)
    assert _seqs(j) == list(range(11, 21)) and j["has_more"] is True


def test_history_before_seq_gives_the_last_messages_before_it(shared_server, sixty):
    a, _, cid = sixty
    j = history(shared_server, a.token, cid, before_seq=11, limit=5)
    assert _seqs(j) == [6, 7, 8, 9, 10] and j["has_more"] is True
    j = history(shared_server, a.token, cid, before_seq=6, limit=5)
    assert _seqs(j) == [1, 2, 3, 4, 5] and j["has_more"] is False
    j = history(shared_server, a.token, cid, before_seq=1)
    assert j["items"] == [] and j["has_more"] is False
    j = history(shared_server, a.token, cid, before_seq=61)
    assert _seqs(j) == list(range(11, 61)) and j["has_more"] is True


def test_history_pages_backwards_to_the_first_message(shared_server, sixty):
    a, _, cid = sixty
    got, before = [], None
    for _ in range(20):
        params = {"limit": 7}
        if before is not None:
            params["before_seq"] = before
        j = history(shared_server, a.token, cid, **params)
        got = j["items"] + got
        if not j["has_more"]:
            break
        before = j["items"][0]["seq"]
    assert [m["seq"] for m in got] == list(range(1, 61))


def test_history_with_both_before_and_after_is_422(shared_server, sixty):
    a, _, cid = sixty
    r = shared_server.get(f"/v1/conversations/{cid}/messages", token=a.token,
                          params={"before_seq": 10, "after_seq": 2})
    assert_error(r, 422, "validation_failed")


@pytest.mark.parametrize("param,bad", [
    ("limit", "0"), ("limit", "201"), ("limit", "-1"), ("limit", "x"), ("limit", "1.5"),
    ("after_seq", "-1"), ("after_seq", "x"), ("after_seq", ""),
    ("before_seq", "-1"), ("before_seq", "x"), ("before_seq", "99999999999999999999999"),
])
def test_bad_history_numbers_are_422_naming_them(shared_server, sixty, param, bad):
    a, _, cid = sixty
    r = shared_server.get(f"/v1/conversations/{cid}/messages", token=a.token, params={param: bad})
    assert_error(r, 422, "validation_failed", field=param)


# -------------------------------------------------------------------- read

def test_read_is_204_and_moves_only_forwards(shared_server, two_users):
    a, b = two_users
    cid = _conv_id(shared_server, a, b)
    for _ in range(4):
        send_text(shared_server, b.token, cid)
    url = f"/v1/conversations/{cid}/read"
    assert shared_server.post(url, token=a.token, json={"seq": 3}).status_code == 204
    assert shared_server.post(url, token=a.token, json={"seq": 1}).status_code == 204
    conv = shared_server.get(f"/v1/conversations/{cid}", token=a.token).json()
    assert conv["read_seq"] == 3 and conv["unread"] == 1
    assert shared_server.post(url, token=a.token, json={"seq": 0}).status_code == 204
    assert shared_server.post(url, token=a.token, json={"seq": 4}).status_code == 204
    conv = shared_server.get(f"/v1/conversations/{cid}", token=a.tokens[1]).json()
    assert conv["read_seq"] == 4 and conv["unread"] == 0


@pytest.mark.parametrize("body,field", [
    ({"seq": 3}, "seq"), ({"seq": -1}, "seq"), ({"seq": "1"}, "seq"), ({"seq": None}, "seq"),
    ({"seq": 1.5}, "seq"), ({}, "seq"), ({"seq": 1, "x": 1}, "x"),
])
def test_a_bad_read_is_422_naming_the_field(shared_server, two_users, body, field):
    a, b = two_users
    cid = _conv_id(shared_server, a, b)
    send_text(shared_server, b.token, cid)
    send_text(shared_server, b.token, cid)
    r = shared_server.post(f"/v1/conversations/{cid}/read", token=a.token, json=body)
    assert_error(r, 422, "validation_failed", field=field)


def test_read_in_an_empty_conversation_accepts_only_0(shared_server, two_users):
    a, b = two_users
    cid = _conv_id(shared_server, a, b)
    assert shared_server.post(f"/v1/conversations/{cid}/read", token=a.token, json={"seq": 0}).status_code == 204
    r = shared_server.post(f"/v1/conversations/{cid}/read", token=a.token, json={"seq": 1})
    assert_error(r, 422, "validation_failed", field="seq")


# ------------------------------------------------------------------ recall

def test_the_sender_recalls_a_message_and_gets_the_tombstone(shared_server, two_users):
    a, b = two_users
    cid = _conv_id(shared_server, a, b)
    m = send_text(shared_server, a.token, cid, "oops")
    send_text(shared_server, b.token, cid)
    r = shared_server.post(f"/v1/messages/{m['id']}/recall", token=a.token)
    assert r.status_code == 200, r.content[:300]
    t = r.json()
    for k in ("id", "conversation_id", "seq", "sender_id", "client_id", "kind", "created_at"):
        assert t[k] == m[k], k
    assert t["body"] is None
    assert isinstance(t["recalled_at"], int) and t["recalled_at"] >= m["created_at"]

    again = shared_server.post(f"/v1/messages/{m['id']}/recall", token=a.tokens[1])
    assert again.status_code == 200
    assert again.json() == t

    items = history(shared_server, b.token, cid)["items"]
    assert [x["seq"] for x in items] == [1, 2]
    assert items[0] == t
    assert "oops" not in str(history(shared_server, b.tokens[1], cid))


def test_recall_by_the_peer_is_403_forbidden(shared_server, two_users):
    a, b = two_users
    cid = _conv_id(shared_server, a, b)
    m = send_text(shared_server, a.token, cid)
    r = shared_server.post(f"/v1/messages/{m['id']}/recall", token=b.token)
    assert_error(r, 403, "forbidden")
    assert history(shared_server, a.token, cid)["items"][0]["body"] == m["body"]


def test_recall_of_an_unknown_message_is_404(shared_server, two_users):
    a, _ = two_users
    r = shared_server.post("/v1/messages/987654321987/recall", token=a.token)
    assert_error(r, 404, "not_found")


def test_recall_after_the_window_is_409_and_by_the_peer_403(make_server):
    srv = chat_server(make_server, "--recall-window", "1")
    a = make_chat_user(srv, devices=1)
    b = make_chat_user(srv, devices=1)
    cid = _conv_id(srv, a, b)
    late = send_text(srv, a.token, cid, "late")      # recalled only after the window
    early = send_text(srv, a.token, cid, "early")    # recalled at once
    r = srv.post(f"/v1/messages/{early['id']}/recall", token=a.token)
    assert r.status_code == 200
    assert_error(srv.post(f"/v1/messages/{late['id']}/recall", token=b.token), 403, "forbidden")
    time.sleep(2.1)
    assert_error(srv.post(f"/v1/messages/{late['id']}/recall", token=a.token), 409,
                 "recall_window_passed")
    assert_error(srv.post(f"/v1/messages/{late['id']}/recall", token=b.token), 403, "forbidden")
    # already recalled: still the same tombstone after the window
    again = srv.post(f"/v1/messages/{early['id']}/recall", token=a.token)
    assert again.status_code == 200 and again.json() == r.json()
    assert history(srv, b.token, cid)["items"][0]["body"] == {"text": "late"}


def test_a_recalled_message_keeps_its_place_for_later_messages(shared_server, two_users):
    a, b = two_users
    cid = _conv_id(shared_server, a, b)
    m = send_text(shared_server, a.token, cid)
    shared_server.post(f"/v1/messages/{m['id']}/recall", token=a.token)
    assert send_text(shared_server, b.token, cid)["seq"] == 2
    conv = shared_server.get(f"/v1/conversations/{cid}", token=a.token).json()
    assert conv["last_seq"] == 2
