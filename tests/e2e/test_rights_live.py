"""Live connections follow the account: a WebSocket already open closes at
once when its session ends (sign-out, device removed) or the account may no
longer use the service (policy withdrawn, account cancelled), so a withdrawn
or cancelled account cannot keep chatting over a socket it opened before."""
import pytest

from conftest import (_recv_frame, current_device_id, open_conversation, ws_closed_soon, ws_connect,
                      ws_close)
from rights_helpers import Planted, cancel, withdraw_policy

CLOSE_WAIT = 5.0


@pytest.fixture
def pair(shared_server):
    a = Planted(shared_server, "a")
    b = Planted(shared_server, "b")
    open_conversation(shared_server, a.token, b.id)
    return a, b


def stays_open(ws):
    """The connection still answers a ping."""
    ws.send('{"type":"ping"}')
    while True:
        frame = _recv_frame(ws, CLOSE_WAIT)
        if frame is None or frame[0] == "close":
            return False
        if '"pong"' in frame[1]:
            return True


@pytest.mark.parametrize("how", ["logout", "device_removed", "policy_withdrawn", "cancelled"])
def test_an_open_websocket_closes_when_the_account_may_no_longer_use_it(shared_server, pair, how):
    a, b = pair
    srv = shared_server
    ws_a, ws_b = ws_connect(srv, a.token), ws_connect(srv, b.token)
    try:
        if how == "logout":
            assert srv.post("/v1/auth/logout", token=a.token).status_code == 204
        elif how == "device_removed":
            # a second device of A removes the first one
            other, _ = srv.login(a.phone, device_id="dev-2", name="second")
            dev = current_device_id(srv, a.token)
            assert srv.delete(f"/v1/me/devices/{dev}", token=other).status_code == 204
        elif how == "policy_withdrawn":
            withdraw_policy(srv, a.token, a.phone)
        else:
            cancel(srv, a.token, a.phone)
        assert ws_closed_soon(ws_a), how
        assert stays_open(ws_b), "the peer's connection is not affected"
    finally:
        ws_close(ws_a)
        ws_close(ws_b)


def test_a_websocket_of_another_device_stays_open_after_one_device_signs_out(shared_server, pair):
    a, _ = pair
    srv = shared_server
    other, _ = srv.login(a.phone, device_id="dev-2", name="second")
    ws_first, ws_second = ws_connect(srv, a.token), ws_connect(srv, other)
    try:
        assert srv.post("/v1/auth/logout", token=other).status_code == 204
        assert ws_closed_soon(ws_second)
        assert stays_open(ws_first)
    finally:
        ws_close(ws_first)
        ws_close(ws_second)
