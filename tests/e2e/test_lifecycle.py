"""The command line, start-up, shutdown, restart and the master key."""
import re
import secrets
import signal
import socket
import stat
import subprocess
import threading
import time

import pytest

import engine

from conftest import ServerDidNotStart, _clean_env, assert_error, healthy, new_phone, new_session

CLI_TIMEOUT = 10


def run(wlk_bin, *args, env=None, cwd=None):
    return subprocess.run(engine.with_database([wlk_bin, *args]), capture_output=True, timeout=CLI_TIMEOUT,
                          env=_clean_env(env), cwd=cwd, stdin=subprocess.DEVNULL)


def _refuses_connections(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return False
    except OSError:
        return True


# ------------------------------------------------------------------- CLI

def test_help_prints_usage_and_exits_zero(wlk_bin, tmp_path):
    p = run(wlk_bin, "--help", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    out = (p.stdout + p.stderr).decode()
    assert "serve" in out and "migrate" in out and "version" in out
    assert "--listen" in out or "listen" in out


def test_serve_help_exits_zero_without_serving(wlk_bin, tmp_path):
    p = run(wlk_bin, "serve", "--help", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert b"--otp-ttl" in p.stdout + p.stderr
    assert not (tmp_path / "var").exists()


def test_version_prints_the_name_and_a_version(wlk_bin, tmp_path):
    p = run(wlk_bin, "version", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert re.fullmatch(rb"wlk \S+\n?", p.stdout), p.stdout


@pytest.mark.parametrize("args", [["frobnicate"], ["servе"], ["-x"], ["--no-such-flag"]])
def test_unknown_subcommand_exits_2_with_a_message(wlk_bin, tmp_path, args):
    p = run(wlk_bin, *args, cwd=tmp_path)
    assert p.returncode == 2, (p.returncode, p.stderr)
    assert p.stderr.strip()


@pytest.mark.parametrize("sub", ["serve", "migrate"])
def test_unknown_flag_exits_2_with_a_message(wlk_bin, tmp_path, sub):
    p = run(wlk_bin, sub, "--data-dir", str(tmp_path / "d"), "--no-such-flag", "1", cwd=tmp_path)
    assert p.returncode == 2, (p.returncode, p.stderr)
    assert p.stderr.strip()


@pytest.mark.parametrize("flag,value", [("--otp-ttl", "abc"), ("--threads", "-1"), ("--sms-interval", "1.5")])
def test_bad_flag_values_are_refused(wlk_bin, tmp_path, flag, value):
    p = run(wlk_bin, "serve", "--listen", "127.0.0.1:0", "--data-dir", str(tmp_path / "d"),
            flag, value, cwd=tmp_path)
    assert p.returncode != 0, (p.returncode, p.stderr)
    assert p.stderr.strip()


def test_migrate_on_a_fresh_dir_exits_zero(wlk_bin, tmp_path):
    d = tmp_path / "data"
    p = run(wlk_bin, "migrate", "--data-dir", str(d), cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert (d / "wlk.db").exists() is not engine.POSTGRES  # the file only on SQLite
    # and again: migrations are idempotent
    p = run(wlk_bin, "migrate", "--data-dir", str(d), cwd=tmp_path)
    assert p.returncode == 0, p.stderr


def test_serve_starts_on_a_migrated_dir(wlk_bin, tmp_path, make_server):
    d = tmp_path / "migrated"
    assert run(wlk_bin, "migrate", "--data-dir", str(d), cwd=tmp_path).returncode == 0
    srv = make_server(data_dir=d)
    token, j = srv.login(new_phone())
    assert j["new_user"] is True


# -------------------------------------------------------------- data dir

def test_first_start_creates_the_database_and_a_private_master_key(server):
    d = server.data_dir
    assert (d / "wlk.db").is_file() is not engine.POSTGRES  # the file only on SQLite
    key = d / "master.key"
    assert key.is_file()
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert re.fullmatch(rb"[0-9a-fA-F]{64}\n?", key.read_bytes())
    server.send_code(new_phone())
    assert (d / "sink" / "sms.jsonl").is_file()


def test_each_data_dir_gets_its_own_master_key(make_server):
    a, b = make_server(), make_server()
    assert (a.data_dir / "master.key").read_bytes() != (b.data_dir / "master.key").read_bytes()


# -------------------------------------------------------------- shutdown

@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_the_server_with_exit_code_zero(make_server, sig):
    srv = make_server()
    srv.login(new_phone())
    t0 = time.monotonic()
    assert srv.stop(sig=sig) == 0
    assert time.monotonic() - t0 < 8
    assert _refuses_connections(srv.port)


def test_sigterm_while_clients_are_busy_exits_zero(make_server):
    srv = make_server()
    stop = threading.Event()
    errors = []

    def hammer():
        s = new_session()
        while not stop.is_set():
            try:
                r = srv.get("/v1/privacy/policy", s=s)
                if r.status_code not in (200, 503):
                    errors.append(r.status_code)
            except Exception:  # connection refused/reset once it stops: fine
                pass
        s.close()

    threads = [threading.Thread(target=hammer) for _ in range(4)]
    for t in threads:
        t.start()
    time.sleep(0.3)
    rc = srv.stop()
    stop.set()
    for t in threads:
        t.join(10)
    assert rc == 0
    assert not errors, f"responses other than 200 during shutdown: {errors[:5]}"


# -------------------------------------------------------------- restart

def test_restart_keeps_users_and_the_policy_version(make_server):
    first = make_server("--sms-interval", "0")
    phone = new_phone()
    _, j = first.login(phone)
    version = first.policy_version()
    policy = first.get("/v1/privacy/policy").content
    assert first.stop() == 0

    again = make_server("--sms-interval", "0", data_dir=first.data_dir)
    assert again.policy_version() == version
    assert again.get("/v1/privacy/policy").content == policy
    versions = again.get("/v1/privacy/policy/versions").json()["items"]
    assert [v["version"] for v in versions] == [version]
    _, j2 = again.login(phone, device_id="d2", accept=False)
    assert j2["new_user"] is False
    assert j2["user"]["id"] == j["user"]["id"]
    assert j2["user"]["phone_masked"] == j["user"]["phone_masked"]


def test_restart_keeps_sessions(make_server):
    first = make_server()
    token, j = first.login(new_phone())
    assert first.stop() == 0
    again = make_server(data_dir=first.data_dir)
    r = again.get("/v1/me", token=token)
    assert r.status_code == 200
    assert r.json()["id"] == j["user"]["id"]


# -------------------------------------------------------------- settings from the environment

def test_flags_can_be_given_as_environment_variables(make_server):
    srv = make_server(env={"WLK_OTP_TTL": "7", "WLK_SMS_IP_LIMIT": "2"})
    r = srv.request_code(new_phone())
    assert r.status_code == 202 and r.json() == {"expires_in": 7}
    assert srv.request_code(new_phone()).status_code == 202
    assert_error(srv.request_code(new_phone()), 429, "rate_limited")


# -------------------------------------------------------------- master key

def test_wlk_master_key_env_works(make_server):
    key = secrets.token_hex(32)
    first = make_server("--sms-interval", "0", env={"WLK_MASTER_KEY": key})
    phone = new_phone()
    _, j = first.login(phone)
    assert first.stop() == 0
    key_file = first.data_dir / "master.key"
    if key_file.exists():
        assert key_file.read_bytes().strip().lower() != key.encode(), "env key written to disk"

    again = make_server("--sms-interval", "0", env={"WLK_MASTER_KEY": key}, data_dir=first.data_dir)
    _, j2 = again.login(phone, accept=False)
    assert j2["new_user"] is False
    assert j2["user"]["id"] == j["user"]["id"]


@pytest.mark.parametrize("bad", ["xyz", "00" * 31, "zz" * 32, "00" * 33])
def test_a_malformed_wlk_master_key_stops_the_start(make_server, bad):
    srv = make_server(env={"WLK_MASTER_KEY": bad}, wait=False)
    try:
        rc = srv.proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pytest.fail("wlk started with a malformed WLK_MASTER_KEY")
    srv.expect_clean_exit = False
    assert rc != 0
    assert bad not in srv.log_text()


def test_a_different_master_key_cannot_read_the_old_phone(make_server):
    first = make_server("--sms-interval", "0")
    phone = new_phone()
    token, j = first.login(phone)
    assert first.stop() == 0

    other = secrets.token_hex(32)
    try:
        srv = make_server("--sms-interval", "0", env={"WLK_MASTER_KEY": other}, data_dir=first.data_dir)
    except ServerDidNotStart as e:
        # Refusing to run with a key that does not fit the data is fine.
        assert e.rc != 0
        assert phone not in e.log
        return

    # The old phone cannot be matched: it is a new phone again.
    code = srv.send_code(phone)
    r = srv.post("/v1/auth/login", json=srv.login_body(phone, code))
    assert_error(r, 403, "consent_required")
    r = srv.post("/v1/auth/login", json=srv.login_body(phone, code, accept=srv.policy_version()))
    assert r.status_code == 200
    assert r.json()["new_user"] is True
    assert r.json()["user"]["id"] != j["user"]["id"]
    # An old session must not leak the phone either.
    r = srv.get("/v1/me", token=token)
    assert phone.encode() not in r.content
    assert r.status_code in (200, 401, 500)
    assert phone not in srv.log_text()


# -------------------------------------------------------------- sqlite lock

@pytest.mark.skipif(engine.POSTGRES, reason="a lock of the SQLite file")
def test_a_running_server_locks_the_database_against_other_processes(wlk_bin, tmp_path,
                                                                     make_server):
    srv = make_server()
    p = run(wlk_bin, "migrate", "--data-dir", str(srv.data_dir), cwd=tmp_path)
    assert p.returncode != 0
    # the operator is told what to do
    assert b"--sqlite-lock shared" in p.stderr, p.stderr
    # operator commands go to the running server instead (its admin socket)
    p = run(wlk_bin, "purge", "--dry-run", "--data-dir", str(srv.data_dir), cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    healthy(srv)


def test_a_shared_lock_lets_other_processes_use_the_database(wlk_bin, tmp_path, make_server):
    srv = make_server("--sqlite-lock", "shared")
    srv.login(new_phone())
    p = run(wlk_bin, "migrate", "--sqlite-lock", "shared", "--data-dir", str(srv.data_dir),
            cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    healthy(srv)
