"""Every command reads its flags the same way, from one reader
(core/config.c config_flag): `--flag value` and `--flag=value`, for the
operator commands' own flags as for the settings (issue 11, 5)."""
import subprocess

import engine

from conftest import WLK_BIN, _clean_env
from staffkit import PASSWORD


def wlk(*args, stdin=None):
    return subprocess.run(engine.with_database([WLK_BIN, *args]), input=stdin, capture_output=True, text=True,
                          timeout=60, env=_clean_env({}))


def test_own_flags_and_settings_take_both_forms(tmp_path):
    d = str(tmp_path / "data")
    r = wlk("staff", "add", "--name=eq-form", "--role=support", f"--data-dir={d}",
            stdin=PASSWORD + "\n")
    assert r.returncode == 0, r.stderr
    r = wlk("staff", "add", "--name", "space-form", "--role", "auditor", "--data-dir", d,
            stdin=PASSWORD + "\n")
    assert r.returncode == 0, r.stderr
    r = wlk("staff", "disable", "--name=eq-form", "--data-dir", d)
    assert r.returncode == 0 and "eq-form disabled" in r.stdout, r.stderr
    for form in (["--now=+16d"], ["--now", "+16d"]):
        r = wlk("requests", "overdue", *form, f"--data-dir={d}")
        assert r.returncode == 0, (form, r.stderr)
    r = wlk("purge", "--now=+2d", "--dry-run", "--data-dir", d)
    assert r.returncode == 0, r.stderr


def test_a_switch_given_a_value_and_a_flag_without_one_are_refused(tmp_path):
    d = str(tmp_path / "data")
    r = wlk("purge", "--dry-run=yes", "--data-dir", d)
    assert r.returncode == 2 and "takes no value" in r.stderr
    r = wlk("staff", "disable", "--data-dir", d, "--name")
    assert r.returncode == 2 and "needs a value" in r.stderr
    r = wlk("purge", "--nope=1", "--data-dir", d)
    assert r.returncode == 2 and "unknown option" in r.stderr
