"""Backups that keep erasures (issue 11, 3), and the master key's rotation.

`wlk backup FILE` copies the database while the server serves; `wlk
restore FILE` puts a copy back on a stopped server after checks. The
master key and the shredded-key list are never in a backup, so an account
cancelled after a backup was made stays cancelled when that backup is
restored: its key is refused and the next start erases it again. On
PostgreSQL the documented path is pg_dump and pg_restore (the same
promises hold; `wlk backup` says so)."""
import hashlib
import os
import sqlite3
import subprocess

import pytest

import engine
from conftest import (CHAT_FLAGS, full_history, make_chat_user, new_phone,
                      open_conversation, send_text, upload_ok, png_bytes)
from retention_util import wlk
from rights_helpers import cancel, export

sqlite_only = pytest.mark.skipif(engine.POSTGRES, reason="wlk backup/restore copy the SQLite "
                                                          "file; PostgreSQL uses pg_dump")


def backup(srv, path):
    """A backup of srv's database at path: `wlk backup` (SQLite, while the
    server runs) or pg_dump (PostgreSQL), as docs/OPERATIONS.md says."""
    if engine.POSTGRES:
        url = engine.database_url(srv.database_of)
        p = subprocess.run([str(engine.PG_BIN / "pg_dump"), "--format=custom",
                            f"--file={path}", url], capture_output=True, text=True, timeout=120)
        assert p.returncode == 0, p.stderr
        return p.stdout
    p = wlk(srv.data_dir, "backup", str(path))
    assert p.returncode == 0, (p.stdout, p.stderr)
    assert "not in it" in p.stdout.lower() or "Not in it" in p.stdout, p.stdout
    return p.stdout


def restore(srv, path):
    """Puts the backup back while srv is stopped."""
    if engine.POSTGRES:
        url = engine.database_url(srv.database_of)
        p = subprocess.run([str(engine.PG_BIN / "pg_restore"), "--clean", "--if-exists",
                            "--no-owner", "--single-transaction", f"--dbname={url}", str(path)],
                           capture_output=True, text=True, timeout=120)
        assert p.returncode == 0, p.stderr
        return p.stdout
    p = wlk(srv.data_dir, "restore", str(path))
    assert p.returncode == 0, (p.stdout, p.stderr)
    return p.stdout


def views(srv, user, cid):
    """What user sees of the conversation."""
    conv = srv.get(f"/v1/conversations/{cid}", token=user.token).json()
    conv.pop("updated_at", None)
    return conv, [(m["seq"], m["sender_id"], m["kind"], m["body"]) for m in
                  full_history(srv, user.token, cid)]


def test_a_backup_made_while_serving_restores_every_row(make_server, tmp_path):
    srv = make_server(*CHAT_FLAGS)
    a, b = make_chat_user(srv, nickname="甲"), make_chat_user(srv)
    cid = open_conversation(srv, a, b)["id"]
    for i in range(20):
        send_text(srv, a.token, cid, f"备份前 {i}")
    path = tmp_path / "wlk.backup"
    backup(srv, path)
    assert path.stat().st_size > 0
    send_text(srv, a.token, cid, "备份后")  # not in the backup
    srv.stop()
    srv.assert_clean()
    restore(srv, path)
    srv.start()
    texts = [m["body"]["text"] for m in full_history(srv, b.token, cid)]
    assert texts == [f"备份前 {i}" for i in range(20)]
    assert srv.get("/v1/me", token=a.token).json()["nickname"] == "甲"


def test_a_cancelled_account_stays_cancelled_when_an_older_backup_is_restored(make_server,
                                                                              tmp_path):
    srv = make_server(*CHAT_FLAGS)
    a, b = make_chat_user(srv, nickname="旧账号"), make_chat_user(srv)
    cid = open_conversation(srv, b, a)["id"]
    send_text(srv, a.token, cid, "我是旧账号")
    send_text(srv, b.token, cid, "你好")
    path = tmp_path / "before-cancel.backup"
    backup(srv, path)
    assert cancel(srv, a.token, a.phone)["data_key_destroyed"] is True
    after = views(srv, b, cid)
    srv.stop()
    srv.assert_clean()
    restore(srv, path)  # the account is back in the database...
    assert engine.connect(srv.data_dir).execute(
        "SELECT COUNT(*) FROM users WHERE id = ?", (int(a.id),)).fetchone()[0] == 1
    srv.start()  # ...and erased again at start
    assert srv.wait_log(lambda o: o.get("msg") == "cancellations replayed"), srv.log_text()[-2000:]
    # its old tokens are dead, on every device
    for t in a.tokens:
        assert srv.get("/v1/me", token=t).status_code == 401
    # its phone signs up as a new account, which holds nothing of the old one
    token, j = srv.login(a.phone)
    assert j["new_user"] is True and j["user"]["id"] != a.id
    assert j["user"]["nickname"] is None
    assert "旧账号" not in export(srv, token, a.phone).text
    # the peer sees the conversation exactly as after the cancellation
    assert views(srv, b, cid) == after
    # gone from the database, and a second start finds nothing to replay
    srv.stop()
    srv.assert_clean()
    con = engine.connect(srv.data_dir)
    assert con.execute("SELECT COUNT(*) FROM users WHERE id = ?", (int(a.id),)).fetchone()[0] == 0
    con.close()
    srv.start()
    assert not [o for o in srv.log_lines() if o.get("msg") == "cancellations replayed"]


def test_the_shredded_key_list_and_the_master_key_are_not_in_a_backup(make_server, tmp_path):
    srv = make_server(*CHAT_FLAGS)
    a = make_chat_user(srv)
    cancel(srv, a.token, a.phone)
    listed = (srv.data_dir / "shredded.keys").read_text().split()
    assert a.id in listed
    assert (srv.data_dir / "shredded.keys").stat().st_mode & 0o077 == 0
    path = tmp_path / "x.backup"
    backup(srv, path)
    blob = path.read_bytes()
    key = (srv.data_dir / "master.key").read_text().strip()
    assert key.encode() not in blob and bytes.fromhex(key) not in blob


@sqlite_only
def test_restore_refuses_what_is_not_a_backup_of_this_installation(make_server, tmp_path):
    srv = make_server(*CHAT_FLAGS)
    make_chat_user(srv)
    good = tmp_path / "good.backup"
    backup(srv, good)
    # a server on the directory: restore waits for it to stop
    p = wlk(srv.data_dir, "restore", str(good))
    assert p.returncode == 1 and "stop it first" in p.stderr, p.stderr
    srv.stop()
    srv.assert_clean()
    db = srv.data_dir / "wlk.db"
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    noise = tmp_path / "noise.bin"
    noise.write_bytes(os.urandom(8192))
    cut = tmp_path / "cut.backup"
    cut.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    flipped = tmp_path / "flipped.backup"
    raw = bytearray(good.read_bytes())
    for i in range(4096 + 200, len(raw), 4096):  # a byte in every page after the first
        raw[i] ^= 0xFF
    flipped.write_bytes(bytes(raw))
    # one byte anywhere (a value, free space: SQLite's own check misses those)
    one = tmp_path / "one-byte.backup"
    raw = bytearray(good.read_bytes())
    raw[len(raw) // 2 + 7] ^= 0x01
    one.write_bytes(bytes(raw))
    empty = tmp_path / "empty.sqlite"
    sqlite3.connect(empty).execute("CREATE TABLE t (x)").connection.commit()
    other = make_server(*CHAT_FLAGS)  # another installation: another master key
    make_chat_user(other)
    foreign = tmp_path / "foreign.backup"
    backup(other, foreign)
    cases = [(noise, "not a wlk backup"), (cut, "damaged"), (flipped, "damaged"), (one, "damaged"),
             (empty, "not a wlk backup"), (foreign, "another master key"),
             (tmp_path / "missing.backup", "cannot read")]
    for path, why in cases:
        p = wlk(srv.data_dir, "restore", str(path))
        assert p.returncode == 1, (path.name, p.stdout, p.stderr)
        assert why in p.stderr, (path.name, p.stderr)
        assert "Traceback" not in p.stderr and "Sanitizer" not in p.stderr
        assert hashlib.sha256(db.read_bytes()).hexdigest() == before, path.name
        assert not (srv.data_dir / "wlk.db.restore").exists()
    p = wlk(srv.data_dir, "restore")
    assert p.returncode == 2 and "needs FILE" in p.stderr
    srv.start()  # and it still serves its own data
    assert srv.get("/healthz").status_code == 200


@pytest.mark.skipif(not engine.POSTGRES, reason="PostgreSQL's backups are pg_dump's")
def test_wlk_backup_on_postgresql_points_to_pg_dump(make_server, tmp_path):
    srv = make_server()
    p = wlk(srv.data_dir, "backup", str(tmp_path / "x"))
    assert p.returncode == 1 and "pg_dump" in p.stderr, p.stderr


def test_a_server_refuses_a_database_of_another_master_key(make_server, tmp_path):
    srv = make_server()
    srv.login(new_phone())
    srv.stop()
    srv.assert_clean()
    (srv.data_dir / "master.key").write_text(os.urandom(32).hex() + "\n")
    p = wlk(srv.data_dir, "migrate")
    assert p.returncode == 1 and "another master key" in p.stderr, p.stderr


def test_keys_rotate_rewraps_every_key_while_serving(make_server, tmp_path):
    srv = make_server(*CHAT_FLAGS)
    a, b = make_chat_user(srv, nickname="轮换"), make_chat_user(srv)
    cid = open_conversation(srv, a, b)["id"]
    send_text(srv, a.token, cid, "轮换前")
    pic = png_bytes(3000)
    media = upload_ok(srv, a.token, pic, "image/png")
    old_backup = tmp_path / "before-rotation.backup"
    backup(srv, old_backup)
    key_file = srv.data_dir / "master.key"
    p = wlk(srv.data_dir, "keys", "rotate")
    assert p.returncode == 0, p.stderr
    assert "2 wrapping keys" in p.stdout, p.stdout
    assert "2 account keys" in p.stdout and "1 conversation keys" in p.stdout, p.stdout
    assert "1 file keys" in p.stdout, p.stdout
    ring = key_file.read_text()
    assert ring.count("\nwrap ") == 2 and key_file.stat().st_mode & 0o077 == 0
    # served all along, and after a restart on the new key file
    send_text(srv, b.token, cid, "轮换中")
    srv.stop()
    srv.assert_clean()
    srv.start()
    assert srv.get("/v1/me", token=a.token).json()["nickname"] == "轮换"
    assert [m["body"]["text"] for m in full_history(srv, b.token, cid)] == ["轮换前", "轮换中"]
    r = srv.get(f"/v1/media/{media['id']}", token=a.token)
    assert r.status_code == 200 and r.content == pic
    # once more, dropping the older keys
    p = wlk(srv.data_dir, "keys", "rotate", "--retire-old")
    assert p.returncode == 0 and "1 wrapping key in" in p.stdout, p.stdout
    assert key_file.read_text().count("\nwrap ") == 1
    srv.stop()
    srv.assert_clean()
    srv.start()
    assert srv.get("/v1/me", token=a.token).json()["nickname"] == "轮换"
    assert srv.get(f"/v1/media/{media['id']}", token=a.token).content == pic
