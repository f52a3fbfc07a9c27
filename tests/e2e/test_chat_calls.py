"""Calls over WebSocket `call` frames: signalling relayed to both users'
devices, state checks (conflict), ring timeout, and exactly one `call`
message per call with its outcome."""
import time

import pytest

from conftest import (assert_ws_error, chat_server, eventually, events_of, history, is_event,
                      make_chat_user, open_conversation, recv_event, recv_frames, sync_all,
                      sync_head, unique, ws_request)


def _frame(cid, call_id, action, data=None):
    return {"type": "call", "req_id": unique("call"), "conversation_id": cid, "call_id": call_id,
            "action": action, "data": data if data is not None else {}}


def _act(ws, cid, call_id, action, data=None):
    f = _frame(cid, call_id, action, data)
    reply = ws_request(ws, f)
    assert reply == {"type": "ack", "req_id": f["req_id"]}, (action, reply)


def _is_call(call_id, action=None):
    return is_event("call", lambda e: e["data"]["call_id"] == call_id
                    and (action is None or e["data"]["action"] == action))


def _call_messages(srv, token, cid, call_id):
    return [m for m in history(srv, token, cid, limit=200)["items"]
            if m["kind"] == "call" and (m["body"] or {}).get("call_id") == call_id]


def _one_call_message(srv, token, cid, call_id, timeout=5.0):
    got = eventually(lambda: _call_messages(srv, token, cid, call_id), timeout=timeout)
    assert got, f"no call message for {call_id} within {timeout}s"
    time.sleep(0.3)  # a second one would show up now
    got = _call_messages(srv, token, cid, call_id)
    assert len(got) == 1, got
    m = got[0]
    assert set(m["body"]) >= {"call_id", "outcome", "duration_ms"}, m
    assert isinstance(m["body"]["duration_ms"], int) and m["body"]["duration_ms"] >= 0, m
    return m


class Devices:
    """Both users' two devices connected: a1 calls, b1 answers, a2 and b2
    only watch."""

    def __init__(self, srv, a, b, open_ws):
        self.a, self.b = a, b
        self.cid = open_conversation(srv, a, b)["id"]
        self.a1 = open_ws(srv, a.tokens[0])
        self.a2 = open_ws(srv, a.tokens[1])
        self.b1 = open_ws(srv, b.tokens[0])
        self.b2 = open_ws(srv, b.tokens[1])


@pytest.fixture
def devices(shared_server, two_users, open_ws):
    a, b = two_users
    return Devices(shared_server, a, b, open_ws)


def test_an_answered_call_reaches_every_device_and_leaves_one_answered_message(shared_server,
                                                                              devices):
    d = devices
    a, b, cid = d.a, d.b, d.cid
    head_a, head_b = sync_head(shared_server, a.token), sync_head(shared_server, b.token)
    call = unique("call")
    script = [
        ("a", "invite", {"media": "video"}),
        ("b", "ringing", {}),
        ("b", "accept", {}),
        ("a", "offer", {"sdp": "v=0 offer-sdp"}),
        ("b", "answer", {"sdp": "v=0 answer-sdp"}),
        ("a", "ice", {"candidate": "candidate:1 1 udp 2122260223 10.0.0.1 50000 typ host"}),
        ("b", "ice", {"candidate": "candidate:2 1 udp 2122260223 10.0.0.2 50001 typ host"}),
        ("a", "hangup", {}),
    ]
    for who, action, data in script:
        caller_side = who == "a"
        sender, receiver = (d.a1, d.b1) if caller_side else (d.b1, d.a1)
        _act(sender, cid, call, action, data)
        # the other party's device that takes part sees it before answering
        actor = a.id if caller_side else b.id
        ev = recv_event(receiver, "call", lambda e, act=action, who_id=actor:
                        e["data"]["call_id"] == call and e["data"]["action"] == act
                        and e["data"]["from_user_id"] == who_id)
        assert ev["data"]["data"] == data

    want = [(a.id if who == "a" else b.id, action, data) for who, action, data in script]
    for name, ws in (("a2", d.a2), ("b2", d.b2)):
        evs = [f["event"] for f in recv_frames(ws, _is_call(call), len(script))]
        got = [(e["data"]["from_user_id"], e["data"]["action"], e["data"]["data"]) for e in evs]
        assert got == want, name
        for e in evs:
            assert e["data"]["conversation_id"] == cid

    m = _one_call_message(shared_server, a.token, cid, call)
    assert m["body"]["outcome"] == "answered"
    assert _one_call_message(shared_server, b.tokens[1], cid, call)["id"] == m["id"]

    # the same events, and the call message, are in both users' sync streams
    for token, head in ((a.token, head_a), (b.token, head_b)):
        events, _ = sync_all(shared_server, token, cursor=head)
        calls = events_of(events, "call", lambda e: e["data"]["call_id"] == call)
        assert [e["data"]["action"] for e in calls] == [x[1] for x in script]
        created = [e["data"]["message"] for e in events_of(events, "message.created")]
        assert [x["id"] for x in created if x["kind"] == "call"] == [m["id"]]


def test_a_rejected_call_leaves_one_rejected_message(shared_server, devices):
    d = devices
    call = unique("call")
    _act(d.a1, d.cid, call, "invite")
    recv_event(d.b1, "call", lambda e: e["data"]["call_id"] == call)
    _act(d.b1, d.cid, call, "reject")
    for ws in (d.a1, d.a2, d.b2):
        ev = recv_event(ws, "call", lambda e: e["data"]["call_id"] == call
                        and e["data"]["action"] == "reject")
        assert ev["data"]["from_user_id"] == d.b.id
    m = _one_call_message(shared_server, d.a.token, d.cid, call)
    assert m["body"]["outcome"] == "rejected"
    # nothing more can happen to it
    assert_ws_error(ws_request(d.b1, _frame(d.cid, call, "accept")), "conflict")


def test_a_call_hung_up_by_the_caller_before_an_answer_is_cancelled(shared_server, devices):
    d = devices
    call = unique("call")
    _act(d.a1, d.cid, call, "invite")
    _act(d.b1, d.cid, call, "ringing")
    _act(d.a1, d.cid, call, "hangup")
    ev = recv_event(d.b2, "call", lambda e: e["data"]["call_id"] == call
                    and e["data"]["action"] == "hangup")
    assert ev["data"]["from_user_id"] == d.a.id
    m = _one_call_message(shared_server, d.b.token, d.cid, call)
    assert m["body"]["outcome"] == "cancelled"


def test_accept_from_the_caller_is_a_conflict(shared_server, devices):
    d = devices
    call = unique("call")
    _act(d.a1, d.cid, call, "invite")
    for ws in (d.a1, d.a2):
        f = _frame(d.cid, call, "accept")
        assert_ws_error(ws_request(ws, f), "conflict", req_id=f["req_id"])
    f = _frame(d.cid, call, "ringing")
    assert_ws_error(ws_request(d.a1, f), "conflict", req_id=f["req_id"])
    # the callee still can
    _act(d.b1, d.cid, call, "accept")
    _act(d.b1, d.cid, call, "hangup")
    assert _one_call_message(shared_server, d.a.token, d.cid, call)["body"]["outcome"] == "answered"


def test_actions_after_the_hangup_are_conflicts_and_add_no_message(shared_server, devices):
    d = devices
    call = unique("call")
    _act(d.a1, d.cid, call, "invite")
    _act(d.b1, d.cid, call, "accept")
    _act(d.b1, d.cid, call, "hangup")
    for ws, action in ((d.a1, "hangup"), (d.b1, "hangup"), (d.a1, "offer"), (d.b1, "accept")):
        f = _frame(d.cid, call, action)
        assert_ws_error(ws_request(ws, f), "conflict", req_id=f["req_id"])
    m = _one_call_message(shared_server, d.a.token, d.cid, call)
    assert m["body"]["outcome"] == "answered"


def test_accept_before_any_invite_is_an_error(shared_server, devices):
    d = devices
    f = _frame(d.cid, unique("never-invited"), "accept")
    reply = ws_request(d.b1, f)
    assert reply["type"] == "error" and reply["req_id"] == f["req_id"], reply
    assert reply["code"] in ("conflict", "not_found"), reply


@pytest.mark.parametrize("change,field", [
    ({"action": "dance"}, "action"),
    ({"action": None}, "action"),
    ({"call_id": ""}, "call_id"),
    ({"call_id": "x" * 65}, "call_id"),
    ({"call_id": 7}, "call_id"),
    ({"conversation_id": None}, "conversation_id"),
])
def test_a_bad_call_frame_is_validation_failed(shared_server, devices, change, field):
    d = devices
    f = _frame(d.cid, unique("call"), "invite")
    f.update(change)
    assert_ws_error(ws_request(d.a1, f), "validation_failed", field=field, req_id=f["req_id"])


def test_a_call_in_a_foreign_conversation_is_not_found(shared_server, devices, open_ws):
    d = devices
    stranger = make_chat_user(shared_server, devices=1)
    ws = open_ws(shared_server, stranger.token)
    f = _frame(d.cid, unique("call"), "invite")
    assert_ws_error(ws_request(ws, f), "not_found", req_id=f["req_id"])
    assert not _call_messages(shared_server, d.a.token, d.cid, f["call_id"])


def test_an_unanswered_invite_times_out_and_leaves_a_missed_message(make_server, open_ws):
    srv = chat_server(make_server, "--call-ring-timeout", "1")
    a, b = make_chat_user(srv), make_chat_user(srv)
    d = Devices(srv, a, b, open_ws)
    call = unique("call")
    t0 = time.monotonic()
    _act(d.a1, d.cid, call, "invite")
    _act(d.b1, d.cid, call, "ringing")
    for ws in (d.a1, d.a2, d.b1, d.b2):
        recv_event(ws, "call", lambda e: e["data"]["call_id"] == call
                   and e["data"]["action"] == "timeout", timeout=6)
    assert time.monotonic() - t0 >= 0.9, "timed out before --call-ring-timeout"
    m = _one_call_message(srv, b.token, d.cid, call)
    assert m["body"]["outcome"] == "missed"
    f = _frame(d.cid, call, "accept")
    assert_ws_error(ws_request(d.b1, f), "conflict", req_id=f["req_id"])
    events, _ = sync_all(srv, a.token)
    actions = [e["data"]["action"] for e in events_of(events, "call",
                                                      lambda e: e["data"]["call_id"] == call)]
    assert actions == ["invite", "ringing", "timeout"]


def test_an_accepted_call_does_not_time_out(make_server, open_ws):
    srv = chat_server(make_server, "--call-ring-timeout", "1")
    a, b = make_chat_user(srv), make_chat_user(srv)
    d = Devices(srv, a, b, open_ws)
    call = unique("call")
    _act(d.a1, d.cid, call, "invite")
    _act(d.b1, d.cid, call, "accept")
    time.sleep(1.8)
    _act(d.a1, d.cid, call, "hangup")
    m = _one_call_message(srv, a.token, d.cid, call)
    assert m["body"]["outcome"] == "answered"
    events, _ = sync_all(srv, b.token)
    actions = [e["data"]["action"] for e in events_of(events, "call",
                                                      lambda e: e["data"]["call_id"] == call)]
    assert actions == ["invite", "accept", "hangup"]
