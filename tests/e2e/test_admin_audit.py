"""The audit trail is a keyed hash chain (六.二.4): `wlk audit verify`
exits 0 on an intact trail and non-zero, naming the first bad record,
when a record was changed or a record in the middle removed."""
import re

import engine

from staffkit import add_staff, staff_token, user_with_nickname, wlk


def _trail(make_server, tmp_path):
    """A stopped server's data directory with a few audit records: staff
    added, then nicknames set and revealed. Returns (data_dir, number of records)."""
    srv = make_server("--sqlite-lock", "shared")
    add_staff(srv.data_dir, "audit.support", "support", shared=True)
    token = staff_token(srv, "audit.support")
    for i in range(3):
        _, user, _ = user_with_nickname(srv, "王五")
        r = srv.post(f"/v1/admin/users/{user['id']}/reveal", token=token,
                     json={"categories": ["nickname"], "reason": f"ticket number {i}"})
        assert r.status_code == 200, r.text
    srv.stop()
    srv.assert_clean()
    db = engine.connect(srv.data_dir)
    n = db.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0]
    db.close()  # an open connection would hold a lock the verifier waits on
    # staff.add, then per user a profile.correct (the nickname set) and a reveal
    assert n == 1 + 3 * 2
    return srv.data_dir, n


def _copy(data_dir, tmp_path, name):
    return engine.copy_data_dir(data_dir, tmp_path / name)


def _edit(data_dir, sql, *args):
    db = engine.connect(data_dir)
    with db:
        assert db.execute(sql, args).rowcount == 1
    db.close()


def test_audit_verify_passes_on_an_intact_trail(make_server, tmp_path):
    data_dir, n = _trail(make_server, tmp_path)
    r = wlk(data_dir, "audit", "verify")
    assert r.returncode == 0, (r.stdout, r.stderr)
    assert "intact" in r.stdout and f"{n} records" in r.stdout


def test_audit_verify_names_a_changed_record(make_server, tmp_path):
    data_dir, _ = _trail(make_server, tmp_path)
    for col, val in (("reason", "nothing to see"), ("actor", "staff:someone.else"),
                     ("subject_id", 1), ("at", 0)):
        d = _copy(data_dir, tmp_path, f"changed-{col}")
        _edit(d, f"UPDATE audit_log SET {col} = ? WHERE seq = 3", val)
        r = wlk(d, "audit", "verify")
        assert r.returncode == 1, (col, r.stdout, r.stderr)
        assert re.search(r"BROKEN at record 3\b", r.stdout), (col, r.stdout)


def test_audit_verify_names_the_record_after_a_removed_one(make_server, tmp_path):
    data_dir, _ = _trail(make_server, tmp_path)
    d = _copy(data_dir, tmp_path, "removed")
    _edit(d, "DELETE FROM audit_log WHERE seq = 2")
    r = wlk(d, "audit", "verify")
    assert r.returncode == 1, (r.stdout, r.stderr)
    assert re.search(r"BROKEN at record 3\b", r.stdout), r.stdout


def test_records_older_than_3_years_are_pruned_and_the_rest_still_verifies(make_server, tmp_path):
    data_dir, n = _trail(make_server, tmp_path)
    out = wlk(data_dir, "purge", "--now", "+1094d")
    assert out.returncode == 0, out.stderr
    db = engine.connect(data_dir)
    assert db.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0] == n
    db.close()
    out = wlk(data_dir, "purge", "--now", "+1096d")
    assert out.returncode == 0, out.stderr
    db = engine.connect(data_dir)
    assert db.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0] == 0
    assert db.execute("SELECT seq FROM audit_anchor").fetchone()[0] == n
    db.close()
    r = wlk(data_dir, "audit", "verify")
    assert r.returncode == 0 and "intact: 0 records" in r.stdout, (r.stdout, r.stderr)
    # a record added later chains from the anchor
    r = wlk(data_dir, "staff", "add", "--name", "later.admin", "--role", "admin",
            stdin="correct horse battery staple")
    assert r.returncode == 0, r.stderr
    r = wlk(data_dir, "audit", "verify")
    assert r.returncode == 0 and "intact: 1 records" in r.stdout, (r.stdout, r.stderr)
