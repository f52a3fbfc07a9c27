"""Helpers of the retention tests (issue 4): operator commands on a data
directory and looks into the database of a stopped server (either engine)."""
import subprocess

import engine

from conftest import WLK_BIN, _clean_env


def wlk(data_dir, *args, stdin=None):
    """Run `wlk <args> --data-dir <data_dir>`; returns the CompletedProcess
    (text output)."""
    return subprocess.run(engine.with_database([WLK_BIN, *args, "--data-dir", str(data_dir)]),
                          input=stdin,
                          capture_output=True, text=True, env=_clean_env(None), timeout=60)


def wlk_ok(data_dir, *args):
    p = wlk(data_dir, *args)
    assert p.returncode == 0, f"wlk {' '.join(args)}: {p.returncode}\n{p.stdout}\n{p.stderr}"
    return p.stdout


def query(data_dir, sql, params=()):
    """Rows of a query on the database of a stopped server."""
    con = engine.connect(data_dir)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def execute(data_dir, sql, params=()):
    con = engine.connect(data_dir)
    try:
        con.execute(sql, params)
        con.commit()
    finally:
        con.close()


def count(data_dir, sql, params=()):
    return query(data_dir, sql, params)[0][0]


def purge_rows(out, category, table, trigger):
    """The row count `wlk purge` printed for one rule."""
    for line in out.splitlines():
        f = line.split()
        if len(f) >= 4 and f[:3] == [category, table, trigger]:
            return int(f[3])
    raise AssertionError(f"no {category}/{table}/{trigger} line in:\n{out}")
