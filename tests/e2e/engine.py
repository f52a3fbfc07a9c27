"""The storage engine the black-box tests run on: the SQLite file in the data
directory (default) or PostgreSQL 15 when WLK_TEST_ENGINE=postgres.

On PostgreSQL the harness starts one throwaway cluster per pytest process
(initdb in a temporary directory, a free port, run as the unprivileged
`postgres` user when the tests run as root) and removes it at exit. Every
data directory a test uses gets a database of its own, created on first use
and found again when a server restarts on the same directory, so the tests
read the same whichever engine is under them:

    engine.db_args(data_dir)        flags naming the database of data_dir
    engine.with_database(cmd)       a wlk command line plus those flags
    engine.connect(data_dir)        a DB-API connection, "?" placeholders
    engine.db_bytes(data_dir)       every byte the engine keeps for it
    engine.copy_data_dir(src, dst)  a copy of the directory and its data
"""
import atexit
import hashlib
import os
import pwd
import shutil
import socket
import sqlite3
import subprocess
import tempfile
import threading
import time
from pathlib import Path

ENGINE = os.environ.get("WLK_TEST_ENGINE", "sqlite")
if ENGINE not in ("sqlite", "postgres"):
    raise RuntimeError(f"WLK_TEST_ENGINE must be sqlite or postgres, not {ENGINE!r}")
POSTGRES = ENGINE == "postgres"
PG_BIN = Path(os.environ.get("WLK_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))
APP_ROLE = "wlk"  # what the servers sign in as: owner of its database, not a superuser


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """A PostgreSQL cluster of this test run."""

    def __init__(self, durable=False):
        self.durable = durable  # False: fsync and synchronous commits off (faster tests)
        self.root = Path(tempfile.mkdtemp(prefix="wlk-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self.user = None  # run as this OS user (root may not run postgres)
        if os.geteuid() == 0:
            self.user = "postgres"
            pw = pwd.getpwnam(self.user)
            os.chown(self.root, pw.pw_uid, pw.pw_gid)
        self.databases = {}
        self.lock = threading.Lock()
        self._admin = None

    def _run(self, *cmd, check=True):
        if self.user:
            cmd = ("runuser", "-u", self.user, "--", *cmd)
        return subprocess.run(cmd, capture_output=True, text=True, check=check, timeout=120)

    def start(self):
        self._run(str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres",
                  "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync")
        self.restart()
        atexit.register(self.remove)
        with self.admin().cursor() as c:
            c.execute(f"CREATE ROLE {APP_ROLE} LOGIN")

    def restart(self):
        """Starts the (initialised or stopped) cluster on its port."""
        opts = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
                "-c max_connections=400 -c shared_buffers=64MB")
        if not self.durable:
            opts += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.root / "log"),
                  "-w", "-t", "60", "-o", opts, "start")

    def stop(self):
        """Stops the cluster at once, as a crash would: every connection is cut."""
        if self._admin is not None:
            self._admin.close()
            self._admin = None
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def remove(self):
        if self._admin is not None:
            self._admin.close()
            self._admin = None
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w",
                  "stop", check=False)
        shutil.rmtree(self.root, ignore_errors=True)

    def admin(self):
        """A superuser connection (autocommit) for creating databases."""
        if self._admin is None:
            import psycopg2
            self._admin = psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres",
                                           dbname="postgres")
            self._admin.autocommit = True
        return self._admin

    def url(self, name, user=APP_ROLE):
        return f"postgres://{user}@127.0.0.1:{self.port}/{name}"

    def database(self, data_dir, template=None):
        """The database of data_dir, created (empty, or as a copy of
        template's) on first use."""
        key = os.path.realpath(data_dir)
        with self.lock:
            name = self.databases.get(key)
            if name is None:
                name = "t" + hashlib.sha1(key.encode()).hexdigest()[:20]
                src = f" TEMPLATE {template}" if template else ""
                for attempt in range(50):
                    try:
                        with self.admin().cursor() as c:
                            c.execute(f"CREATE DATABASE {name} OWNER {APP_ROLE}{src}")
                        break
                    except Exception as e:  # the template still has a session closing
                        if template is None or "being accessed" not in str(e) or attempt == 49:
                            raise
                        time.sleep(0.1)
                self.databases[key] = name
            return name

    def dump(self, name):
        return subprocess.run([str(PG_BIN / "pg_dump"), "-h", "127.0.0.1", "-p", str(self.port),
                               "-U", "postgres", name], capture_output=True, check=True,
                              timeout=120).stdout

    def files(self, name):
        """The heap, index and TOAST files of the database, written out."""
        with self.admin().cursor() as c:
            c.execute("CHECKPOINT")
            c.execute("SELECT oid FROM pg_database WHERE datname = %s", (name,))
            oid = c.fetchone()[0]
        out = b""
        for p in sorted((self.data / "base" / str(oid)).iterdir()):
            try:
                out += p.read_bytes()
            except FileNotFoundError:
                pass  # a file PostgreSQL replaced while we listed (pg_internal.init): no data
        return out


_cluster = None
_cluster_lock = threading.Lock()


def cluster():
    global _cluster
    with _cluster_lock:
        if _cluster is None:
            c = Cluster()
            c.start()
            _cluster = c
        return _cluster


def database_url(data_dir):
    """The --database value for data_dir ("" on SQLite)."""
    if not POSTGRES:
        return ""
    c = cluster()
    return c.url(c.database(data_dir))


def db_args(data_dir):
    return ["--database", database_url(data_dir)] if POSTGRES else []


def with_database(cmd):
    """cmd (a wlk command line with --data-dir D) plus the database of D."""
    cmd = [str(a) for a in cmd]
    if not POSTGRES:
        return cmd
    for i, a in enumerate(cmd):
        if a == "--data-dir" and i + 1 < len(cmd):
            return cmd + db_args(cmd[i + 1])
        if a.startswith("--data-dir="):
            return cmd + db_args(a.split("=", 1)[1])
    return cmd


class _PgConnection:
    """psycopg2 with sqlite3's "?" placeholders and execute() on the
    connection, so a test's SQL reads the same on both engines."""

    def __init__(self, url):
        import psycopg2
        self.con = psycopg2.connect(url)

    def execute(self, sql, params=()):
        cur = self.con.cursor()
        cur.execute(sql.replace("%", "%%").replace("?", "%s"), tuple(params))
        return _PgCursor(cur)

    def commit(self):
        self.con.commit()

    def close(self):
        self.con.close()

    def __enter__(self):
        return self

    def __exit__(self, kind, value, tb):
        if kind is None:
            self.con.commit()
        else:
            self.con.rollback()
        return False


class _PgCursor:
    def __init__(self, cur):
        self.cur = cur
        self.rowcount = cur.rowcount

    def _row(self, row):
        return tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)

    def fetchone(self):
        row = self.cur.fetchone() if self.cur.description else None
        return None if row is None else self._row(row)

    def fetchall(self):
        return [self._row(r) for r in self.cur.fetchall()] if self.cur.description else []

    def __iter__(self):
        return iter(self.fetchall())


def connect(data_dir, readonly=False):
    """A connection to the database of data_dir: sqlite3 on SQLite, a
    psycopg2 wrapper taking the same "?" SQL on PostgreSQL."""
    if POSTGRES:
        con = _PgConnection(database_url(data_dir))
        if readonly:
            con.con.set_session(readonly=True)
        return con
    path = Path(data_dir) / "wlk.db"
    if readonly:
        return sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    return sqlite3.connect(str(path))


def db_bytes(data_dir):
    """Every byte the engine holds for data_dir: the SQLite files, or a
    pg_dump of its PostgreSQL database plus that database's files."""
    if POSTGRES:
        c = cluster()
        name = c.database(data_dir)
        return c.dump(name) + c.files(name)
    out = b""
    for name in ("wlk.db", "wlk.db-wal", "wlk.db-shm", "wlk.db-journal"):
        p = Path(data_dir) / name
        if p.exists():
            out += p.read_bytes()
    assert out, "no database files in the data directory"
    return out


def copy_data_dir(src, dst):
    """dst: a copy of the data directory src and of its database (the
    server on src must be stopped)."""
    shutil.copytree(src, dst)
    if POSTGRES:
        c = cluster()
        c.database(dst, template=c.database(src))
    return dst


def has_database_file(data_dir):
    """Whether the engine keeps its data in the data directory (SQLite)."""
    return (Path(data_dir) / "wlk.db").is_file()
