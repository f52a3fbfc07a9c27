"""Helpers for the staff / audit / requests tests (test_admin_*.py): staff
members added with the operator command, a module server whose database
operator commands may open while it runs (--sqlite-lock shared), staff
sign-in, and the admin routes read from src/api/routes.c."""
import re
import subprocess

import pytest

import engine

from conftest import REPO, SHARED_FLAGS, WLK_BIN, Server, _clean_env, _finish, _require_binary

PASSWORD = "correct horse battery"
ROLES = ("admin", "reviewer", "support", "auditor")
# one member per role, and a second admin (four eyes)
STAFF = {"admin1": "admin", "admin2": "admin", "reviewer1": "reviewer",
         "support1": "support", "auditor1": "auditor"}
SHARED_LOCK = ("--sqlite-lock", "shared")


def wlk(data_dir, *args, stdin=None, shared=False):
    """Runs `wlk <args> --data-dir <data_dir>`; returns CompletedProcess."""
    cmd = engine.with_database([WLK_BIN, *args, "--data-dir", str(data_dir),
                                *(SHARED_LOCK if shared else ())])
    return subprocess.run(cmd, input=stdin, capture_output=True, text=True, timeout=60,
                          env=_clean_env({}))


def add_staff(data_dir, name, role, password=PASSWORD, shared=False):
    r = wlk(data_dir, "staff", "add", "--name", name, "--role", role, stdin=password + "\n",
            shared=shared)
    assert r.returncode == 0, (r.returncode, r.stdout, r.stderr)


def staff_login(srv, name, password=PASSWORD):
    return srv.post("/v1/admin/login", json={"name": name, "password": password})


def staff_token(srv, name, password=PASSWORD):
    r = staff_login(srv, name, password)
    assert r.status_code == 200, f"staff login {name}: {r.status_code} {r.content[:300]!r}"
    return r.json()["token"]


def admin_routes():
    """(method, path) of every /v1/admin route of the route table."""
    src = (REPO / "src" / "api" / "routes.c").read_text()
    return re.findall(r'\{"(GET|POST|PUT|PATCH|DELETE)",\s*"(/v1/admin/[^"]*)"', src)


class StaffServer(Server):
    """A Server with the STAFF members and a token for each."""

    tokens = None

    def token(self, name):
        return self.tokens[name]

    def wlk(self, *args, stdin=None):
        return wlk(self.data_dir, *args, stdin=stdin, shared=True)


def start_staff_server(base, *flags):
    srv = StaffServer(base, (*SHARED_FLAGS, *SHARED_LOCK, *flags))
    srv.data_dir.mkdir(parents=True, exist_ok=True)
    for name, role in STAFF.items():
        add_staff(srv.data_dir, name, role)
    srv.start()
    srv.tokens = {name: staff_token(srv, name) for name in STAFF}
    return srv


@pytest.fixture(scope="module")
def staff_server(tmp_path_factory):
    """One server per module with the STAFF members signed in."""
    _require_binary()
    srv = start_staff_server(tmp_path_factory.mktemp("staff"))
    yield srv
    _finish([srv])


def user_with_nickname(srv, nickname):
    """A fresh user with a nickname: (token, user json, phone)."""
    token, j, phone = srv.new_user()
    r = srv.patch("/v1/me", token=token, json={"nickname": nickname})
    assert r.status_code == 200, r.content[:300]
    return token, r.json(), phone
