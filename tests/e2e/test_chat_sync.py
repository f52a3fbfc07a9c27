"""/v1/sync: the per-user event stream, its cursor and paging, offline
catch-up, and read / recall propagation to both users' devices."""
import pytest

from conftest import (assert_error, current_device_id, events_of, make_chat_user, message_events,
                      new_session, open_conversation, post_message, send_text, sync_all, sync_head,
                      sync_page)


def test_sync_has_the_documented_shape(shared_server, two_users):
    a, b = two_users
    c = open_conversation(shared_server, a, b)
    send_text(shared_server, a.token, c["id"])
    j = sync_page(shared_server, a.token)
    assert set(j) >= {"events", "next_cursor", "has_more"}
    assert j["has_more"] is False
    assert j["events"], j
    for e in j["events"]:
        assert set(e) >= {"seq", "type", "at", "data"}, e
        assert isinstance(e["seq"], int) and e["seq"] > 0
        assert isinstance(e["at"], int) and e["at"] > 1_600_000_000_000
        assert isinstance(e["type"], str)
    assert j["next_cursor"] == j["events"][-1]["seq"]


def test_both_members_get_conversation_created_and_message_created(shared_server, two_users):
    a, b = two_users
    c = open_conversation(shared_server, a, b)
    m = send_text(shared_server, b.token, c["id"], "hi")
    for user, peer in ((a, b), (b, a)):
        for token in user.tokens:
            events, _ = sync_all(shared_server, token)
            created = events_of(events, "conversation.created")
            assert len(created) == 1, created
            conv = created[0]["data"]["conversation"]
            assert conv["id"] == c["id"]
            assert conv["peer"]["id"] == peer.id
            msgs = message_events(events, conv_id=c["id"])
            assert msgs == [m], "the sender's devices get it too"
            types = [e["type"] for e in events]
            assert types.index("conversation.created") < types.index("message.created")


def test_the_cursor_returns_only_later_events(shared_server, two_users):
    a, b = two_users
    c = open_conversation(shared_server, a, b)
    send_text(shared_server, a.token, c["id"])
    head = sync_head(shared_server, b.token)
    m2 = send_text(shared_server, a.token, c["id"])
    m3 = send_text(shared_server, a.token, c["id"])
    j = sync_page(shared_server, b.token, cursor=head)
    assert [e["data"]["message"]["id"] for e in j["events"]] == [m2["id"], m3["id"]]
    assert all(e["seq"] > head for e in j["events"])
    assert j["next_cursor"] == j["events"][-1]["seq"]
    # nothing new: the same cursor back
    j2 = sync_page(shared_server, b.token, cursor=j["next_cursor"])
    assert j2["events"] == []
    assert j2["next_cursor"] == j["next_cursor"]
    assert j2["has_more"] is False


def test_sync_limit_pages_with_has_more(shared_server, two_users):
    a, b = two_users
    c = open_conversation(shared_server, a, b)
    sent = [send_text(shared_server, a.token, c["id"])["id"] for _ in range(7)]
    head = sync_head(shared_server, b.token)
    events, _ = sync_all(shared_server, b.token, cursor=0, limit=1)
    assert [m["id"] for m in message_events(events, conv_id=c["id"])] == sent
    j = sync_page(shared_server, b.token, cursor=0, limit=2)
    assert len(j["events"]) == 2 and j["has_more"] is True
    j = sync_page(shared_server, b.token, cursor=head, limit=2)
    assert j["events"] == [] and j["has_more"] is False


def test_an_offline_device_catches_up_on_200_plus_messages_exactly_once(shared_server, two_users):
    a, b = two_users
    c = open_conversation(shared_server, a, b)
    send_text(shared_server, b.token, c["id"], "before")
    cursor = sync_head(shared_server, b.tokens[1])  # b's second device goes offline here

    s = new_session()
    sent = []
    for i in range(230):
        token = (a.tokens[0], a.tokens[1], b.tokens[0])[i % 3]
        sent.append(send_text(shared_server, token, c["id"], f"offline {i}", s=s))
    m = sent[-1]
    r = shared_server.post(f"/v1/conversations/{c['id']}/read", token=b.token, json={"seq": m["seq"]})
    assert r.status_code == 204
    s.close()

    pages = 0
    got = []
    while True:
        j = sync_page(shared_server, b.tokens[1], cursor=cursor, limit=100)
        pages += 1
        seqs = [e["seq"] for e in j["events"]]
        assert seqs == sorted(seqs) and all(q > cursor for q in seqs)
        got.extend(j["events"])
        cursor = j["next_cursor"]
        if not j["has_more"]:
            break
        assert len(j["events"]) == 100
    assert pages >= 3
    msgs = message_events(got, conv_id=c["id"])
    assert [x["id"] for x in msgs] == [x["id"] for x in sent], "each message exactly once, in order"
    assert [x["seq"] for x in msgs] == list(range(2, 232))
    reads = events_of(got, "conversation.read")
    assert reads and reads[-1]["data"] == {"conversation_id": c["id"], "user_id": b.id,
                                           "seq": m["seq"]}
    assert len({e["seq"] for e in got}) == len(got)
    # the default limit is 100
    j = sync_page(shared_server, a.token, cursor=0)
    assert len(j["events"]) == 100 and j["has_more"] is True


def test_a_cursor_beyond_the_head_is_422(shared_server, two_users):
    a, b = two_users
    open_conversation(shared_server, a, b)
    head = sync_head(shared_server, a.token)
    j = sync_page(shared_server, a.token, cursor=head)
    assert j["events"] == [] and j["next_cursor"] == head
    r = shared_server.get("/v1/sync", token=a.token, params={"cursor": head + 1000})
    assert_error(r, 422, "validation_failed", field="cursor")
    r = shared_server.get("/v1/sync", token=a.token, params={"cursor": 2**53})
    assert_error(r, 422, "validation_failed", field="cursor")


@pytest.mark.parametrize("param,bad", [
    ("cursor", "-1"), ("cursor", "x"), ("cursor", "1.5"),
    ("limit", "0"), ("limit", "501"), ("limit", "-3"), ("limit", "x"),
])
def test_bad_sync_parameters_are_422_naming_them(shared_server, two_users, param, bad):
    a, _ = two_users
    r = shared_server.get("/v1/sync", token=a.token, params={param: bad})
    assert_error(r, 422, "validation_failed", field=param)


def test_sync_limit_500_is_accepted(shared_server, two_users):
    a, _ = two_users
    assert shared_server.get("/v1/sync", token=a.token, params={"limit": "500"}).status_code == 200


def test_sync_needs_a_token(shared_server):
    assert_error(shared_server.get("/v1/sync"), 401, "unauthorized")


def test_streams_are_per_user(shared_server, two_users):
    a, b = two_users
    c = open_conversation(shared_server, a, b)
    send_text(shared_server, a.token, c["id"], "private")
    other = make_chat_user(shared_server, devices=1)
    events, _ = sync_all(shared_server, other.token)
    assert not any(e["type"].startswith(("message.", "conversation.")) for e in events), events


def test_read_reaches_both_users_in_sync(shared_server, two_users):
    a, b = two_users
    c = open_conversation(shared_server, a, b)
    m = send_text(shared_server, b.token, c["id"])
    heads = {t: sync_head(shared_server, t) for t in a.tokens + b.tokens}
    r = shared_server.post(f"/v1/conversations/{c['id']}/read", token=a.token, json={"seq": m["seq"]})
    assert r.status_code == 204
    for t in a.tokens + b.tokens:
        events, _ = sync_all(shared_server, t, cursor=heads[t])
        reads = events_of(events, "conversation.read")
        assert [e["data"] for e in reads] == [{"conversation_id": c["id"], "user_id": a.id,
                                               "seq": m["seq"]}], events


def test_a_read_that_does_not_move_forward_adds_no_event_or_the_same_position(shared_server,
                                                                             two_users):
    a, b = two_users
    c = open_conversation(shared_server, a, b)
    for _ in range(3):
        send_text(shared_server, b.token, c["id"])
    shared_server.post(f"/v1/conversations/{c['id']}/read", token=a.token, json={"seq": 3})
    head = sync_head(shared_server, b.token)
    shared_server.post(f"/v1/conversations/{c['id']}/read", token=a.token, json={"seq": 1})
    events, _ = sync_all(shared_server, b.token, cursor=head)
    for e in events_of(events, "conversation.read"):
        assert e["data"]["seq"] == 3, "read_seq never goes backwards"


def test_recall_reaches_both_users_in_sync(shared_server, two_users):
    a, b = two_users
    c = open_conversation(shared_server, a, b)
    m = send_text(shared_server, a.token, c["id"], "take it back")
    heads = {t: sync_head(shared_server, t) for t in a.tokens + b.tokens}
    r = shared_server.post(f"/v1/messages/{m['id']}/recall", token=a.token)
    assert r.status_code == 200
    tomb = r.json()
    for t in a.tokens + b.tokens:
        events, _ = sync_all(shared_server, t, cursor=heads[t])
        assert message_events(events, "message.recalled") == [tomb]


def test_a_new_device_sign_in_is_a_security_event_for_that_user_only(shared_server, two_users):
    a, b = two_users
    open_conversation(shared_server, a, b)
    head_a = sync_head(shared_server, a.token)
    head_b = sync_head(shared_server, b.token)
    t3, _ = shared_server.login(a.phone, device_id="dev-3", accept=False)
    dev3 = current_device_id(shared_server, t3)
    events, _ = sync_all(shared_server, a.token, cursor=head_a)
    sec = events_of(events, "security.new_device")
    assert [e["data"]["device_id"] for e in sec] == [dev3]
    events, _ = sync_all(shared_server, b.token, cursor=head_b)
    assert not events_of(events, "security.new_device")


def test_an_idempotent_resend_adds_no_event(shared_server, two_users):
    a, b = two_users
    c = open_conversation(shared_server, a, b)
    r = post_message(shared_server, a.token, c["id"], client_id="once")
    assert r.status_code == 201
    head = sync_head(shared_server, b.token)
    r = post_message(shared_server, a.token, c["id"], client_id="once")
    assert r.status_code == 200
    events, _ = sync_all(shared_server, b.token, cursor=head)
    assert not message_events(events)
