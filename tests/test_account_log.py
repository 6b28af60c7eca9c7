"""Account and role changes are audited: who, when, which account, the role and audience
before and after; never a password or its hash."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from coalition.auth import accounts
from graph.store import acting_as
from tests.conftest import run_cli

PASSWORD = "a long enough passphrase"


def test_each_account_change_is_logged_with_who_made_it(tmp_path: Path) -> None:
    path = tmp_path / "accounts.db"
    with acting_as("cli:carmen"):
        accounts.add_user(path, "alice", "admin", PASSWORD)
        accounts.add_user(path, "bob", "viewer", PASSWORD, audience="public")
        accounts.set_role(path, "bob", "editor")
        accounts.set_password(path, "bob", "another long passphrase")
        accounts.remove_user(path, "bob")
    log = accounts.account_log(path)
    assert [(e["action"], e["name"], e["actor"]) for e in log] == [
        ("remove", "bob", "cli:carmen"),
        ("password", "bob", "cli:carmen"),
        ("role", "bob", "cli:carmen"),
        ("add", "bob", "cli:carmen"),
        ("add", "alice", "cli:carmen"),
    ]
    role = log[2]
    assert role["before"] == {"role": "viewer", "audience": "public"}
    assert role["after"] == {"role": "editor", "audience": "coalition"}
    stored = "".join(str(row) for row in sqlite3.connect(path).execute("SELECT * FROM account_log"))
    assert "argon2" not in stored and PASSWORD not in stored


def test_a_refused_change_leaves_no_entry(tmp_path: Path) -> None:
    path = tmp_path / "accounts.db"
    accounts.add_user(path, "alice", "admin", PASSWORD)
    try:
        accounts.set_role(path, "alice", "viewer")  # the last admin
    except Exception:  # noqa: BLE001 - refused as expected; the log is what we check
        pass
    assert [e["action"] for e in accounts.account_log(path)] == ["add"]


def test_user_log_on_the_command_line(tmp_path: Path) -> None:
    (tmp_path / "pw").write_text(PASSWORD + "\n", encoding="utf-8")
    assert run_cli("user", "add", "alice", "--role", "admin", "--password-file", "pw", cwd=tmp_path).returncode == 0
    done = run_cli("user", "log", "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    [entry] = json.loads(done.stdout)
    assert entry["action"] == "add" and entry["name"] == "alice" and entry["actor"].startswith("cli:")
