"""Every operator command works while `wlk serve` runs with its default
settings (issue 11, 2): the command finds the server's admin socket and the
server runs it on a connection of its own, answering its exit status and
output; with no server the command opens the database itself."""
import subprocess

import engine

from conftest import WLK_BIN, _clean_env, assert_error, eventually, sync_all
from staffkit import PASSWORD, staff_login


def wlk(srv, *args, stdin=None):
    return subprocess.run(engine.with_database([WLK_BIN, *args, "--data-dir", str(srv.data_dir)]),
                          input=stdin,
                          capture_output=True, text=True, timeout=60, env=_clean_env({}))


def ok(srv, *args, stdin=None):
    p = wlk(srv, *args, stdin=stdin)
    assert p.returncode == 0, (args, p.returncode, p.stdout, p.stderr)
    return p.stdout


def test_every_operator_command_runs_against_a_server_with_the_default_lock(server):
    srv = server
    token, j, phone = srv.new_user()
    uid = j["user"]["id"]
    assert "staff member ann added" in ok(srv, "staff", "add", "--name", "ann", "--role", "support",
                                          stdin=PASSWORD + "\n")
    assert staff_login(srv, "ann").status_code == 200
    assert "disabled" in ok(srv, "staff", "disable", "--name=ann")
    assert_error(staff_login(srv, "ann"), 401, "unauthorized")
    before = len(srv.get("/v1/privacy/policy/versions").json()["items"])
    assert "published policy version" in ok(srv, "policy", "publish", "--force", "--note", "措辞")
    assert len(srv.get("/v1/privacy/policy/versions").json()["items"]) == before + 1
    assert "retention sweep as of" in ok(srv, "purge", "--dry-run")
    assert "audit trail intact" in ok(srv, "audit", "verify")
    assert "erased" in ok(srv, "privacy", "flag-unlawful", "--user", uid, "--categories",
                          "location", "--reason", "test of the admin socket")
    out = ok(srv, "incident", "notify", "--categories", "phone", "--cause", "c", "--harm", "h",
             "--remedies", "r", "--actions", "a", "--contact", "400", "--users", uid)
    assert "1 users notified" in out
    assert eventually(lambda: [e for e in sync_all(srv, token)[0] if e["type"] == "incident.notice"])
    srv.post("/v1/me/requests", token=token, json={"type": "complaint", "text": "x"})
    assert "1 overdue request" in ok(srv, "requests", "overdue", "--now", "+16d")
    # the server logs each command it ran, never its arguments
    lines = [o for o in srv.log_lines() if o.get("msg") == "operator command"]
    assert len(lines) == 8 and all(phone not in str(o) for o in lines)
    assert PASSWORD not in srv.log_text()


def test_bad_usage_through_the_server_exits_2_with_the_reason(server):
    p = wlk(server, "purge", "--dry-run=yes")
    assert p.returncode == 2 and "takes no value" in p.stderr
    p = wlk(server, "privacy", "flag-unlawful", "--user", "1")
    assert p.returncode == 2 and "usage" in p.stderr
    p = wlk(server, "requests", "overdue", "--now", "tomorrow")
    assert p.returncode == 2 and "--now" in p.stderr
    p = wlk(server, "staff", "add", "--name", "x", "--role", "support", stdin="short\n")
    assert p.returncode == 1 and "password" in p.stderr


def test_without_a_server_the_command_uses_the_database_itself(make_server):
    srv = make_server()
    srv.stop()
    assert "audit trail intact" in ok(srv, "audit", "verify")


def test_a_command_that_cannot_reach_the_database_says_why(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    p = subprocess.run([WLK_BIN, "audit", "verify", "--data-dir", str(blocked / "data")],
                       capture_output=True, text=True, timeout=60, env=_clean_env({}))
    assert p.returncode != 0 and "cannot create" in p.stderr, p.stderr
