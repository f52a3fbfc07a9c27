"""`make cluster` (scripts/cluster.sh, issue 12): PostgreSQL, nats-server,
two nodes and nginx as the load balancer come up with one command; the
web client, the API and WebSockets work through the load balancer
unchanged; Ctrl-C stops everything and leaves nothing behind.

The script starts its own PostgreSQL, so it runs once, in the SQLite
pass."""
import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

import engine
from conftest import (WLK_BIN, Server, _free_port, make_chat_user, open_conversation, phone_digits,
                      read_jsonl, recv_event, send_text, ws_close, ws_connect)

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(engine.POSTGRES, reason=__doc__.split("\n\n")[1])


class Balanced(Server):
    """The cluster as a client sees it: the load balancer's port; the SMS
    of any node's sink (any node's worker may hand a code over)."""

    def __init__(self, base, port, cluster_dir):
        super().__init__(base)
        self.port, self.cluster_dir = port, cluster_dir

    def sms_lines(self, phone):
        to = "+86" + phone_digits(phone)
        lines = []
        for sink in self.cluster_dir.glob("node-*/sink/sms.jsonl"):
            lines += read_jsonl(sink, lambda o: o.get("to") == to)
        return sorted(lines, key=lambda o: o["at"])


def alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False


def test_make_cluster_serves_the_client_through_the_load_balancer_and_stops_on_ctrl_c(tmp_path):
    port = _free_port()
    # every node reads WLK_* settings from the environment, as wlk always does
    env = dict(os.environ, CLUSTER_PORT=str(port), WLK_BIN=WLK_BIN, WLK_SMS_INTERVAL="0")
    p = subprocess.Popen([str(REPO / "scripts" / "cluster.sh")], stdout=subprocess.PIPE,
                         stderr=open(tmp_path / "cluster.err", "wb"), stdin=subprocess.DEVNULL,
                         env=env, text=True, start_new_session=True,
                         # as from a terminal: a suite run in the background
                         # inherits SIGINT ignored, which bash cannot trap
                         preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        line = p.stdout.readline()  # blocks until ready (or the script died)
        m = re.match(r"cluster ready: http://127\.0\.0\.1:(\d+)/ \(2 nodes; data and logs in (\S+);",
                     line)
        assert m, line + (tmp_path / "cluster.err").read_text()
        assert int(m.group(1)) == port
        cluster_dir = Path(m.group(2))
        lb = Balanced(tmp_path, port, cluster_dir)
        assert lb.get("/healthz").json() == {"status": "ok", "bus": "connected"}
        page = lb.get("/")
        assert page.status_code == 200 and "<html" in page.text  # the web client
        # the API and live delivery through nginx, whichever node each request reaches
        alice, bob = make_chat_user(lb), make_chat_user(lb)
        conv = open_conversation(lb, alice, bob)["id"]
        sockets = [ws_connect(lb, t) for t in bob.tokens]  # WebSocket upgrade through nginx
        try:
            time.sleep(0.5)
            for i in range(4):  # requests spread over both nodes
                sent = send_text(lb, alice.token, conv, f"经负载均衡 {i}")
                for ws in sockets:
                    assert recv_event(ws, "message.created")["data"]["message"]["id"] == sent["id"]
        finally:
            for ws in sockets:
                ws_close(ws)
        for n in (1, 2):  # nginx spread the requests over both nodes
            assert '"route":"/v1/conversations/:id/messages"' in (cluster_dir / f"node-{n}.log").read_text()
        pids = [int(x) for x in subprocess.run(["pgrep", "-f", str(cluster_dir)], capture_output=True,
                                               text=True).stdout.split()]
        assert len(pids) >= 2  # the two nodes at least
        err = (tmp_path / "cluster.err").read_text()
        ports = [int(x) for x in re.findall(r"(?:PostgreSQL at postgres://wlk@|nats-server at nats://)"
                                            r"127\.0\.0\.1:(\d+)", err)]
        assert len(ports) == 2, err
    finally:
        os.killpg(p.pid, signal.SIGINT)  # Ctrl-C reaches the whole process group
        rc = p.wait(60)
    assert rc == 0, (tmp_path / "cluster.err").read_text()
    assert "stopped" in (tmp_path / "cluster.err").read_text()
    assert not cluster_dir.exists()
    assert not [pid for pid in pids if alive(pid)]
    for service_port in ports:  # PostgreSQL and nats-server are gone too
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.1", service_port), timeout=1).close()
