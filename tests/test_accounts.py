"""Accounts: argon2 hashes in their own file, sign-in that says nothing about which names
exist, throttling, roles and their audiences, and sessions that expire.

Most tests swap in a cheap argon2 hasher (the real one takes about half a second per
hash here); the hashing test uses the real defaults.
"""

from __future__ import annotations

import functools
import sqlite3
import stat
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from coalition.auth import accounts
from coalition.auth.accounts import AuthError, User
from coalition.domain.errors import CoalitionError, NotFound
from coalition.domain.settings import SessionPolicy, Settings

PASSWORD = "correct horse battery"
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture
def cheap_hashes(monkeypatch: pytest.MonkeyPatch) -> PasswordHasher:
    monkeypatch.setattr(accounts, "_hasher", lambda: CHEAP)
    monkeypatch.setattr(accounts, "_dummy_hash", functools.cache(lambda: CHEAP.hash("dummy")))
    return CHEAP


@pytest.fixture
def path(tmp_path: Path, cheap_hashes: PasswordHasher) -> Path:
    file = tmp_path / "accounts.db"
    accounts.add_user(file, "ana", "admin", PASSWORD)
    return file


def stored_hash(path: Path, name: str) -> str:
    with sqlite3.connect(path) as db:
        return db.execute("SELECT password_hash FROM users WHERE name = ?", (name,)).fetchone()[0]


def test_passwords_are_stored_as_argon2id_hashes_in_a_private_file(tmp_path: Path) -> None:
    file = tmp_path / "accounts.db"
    accounts.add_user(file, "ana", "admin", PASSWORD)
    hashed = stored_hash(file, "ana")
    assert hashed.startswith("$argon2id$v=19$m=65536,t=3,p=4$") and PASSWORD not in hashed
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    assert accounts.authenticate(file, "ana", PASSWORD).role == "admin"


def test_the_right_password_signs_in_and_a_wrong_one_is_refused(path: Path) -> None:
    user = accounts.authenticate(path, "ana", PASSWORD, now=T0)
    assert user == User("ana", "admin", "private", user.password_changed_at)
    with pytest.raises(AuthError, match="^sign-in failed: wrong name or password$"):
        accounts.authenticate(path, "ana", PASSWORD + "!", now=T0)
    assert [u["last_login_at"] for u in accounts.list_users(path)] == [T0.isoformat()]


def test_an_unknown_name_gets_the_same_answer_after_the_same_work(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    checked: list[str] = []
    verify = accounts._verify
    monkeypatch.setattr(
        accounts, "_verify", lambda hashed, password: checked.append(hashed) or verify(hashed, password)
    )
    messages = []
    for name in ("ana", "nobody"):
        with pytest.raises(AuthError) as raised:
            accounts.authenticate(path, name, "wrong password here", now=T0)
        messages.append(str(raised.value))
    assert messages[0] == messages[1]
    assert len(checked) == 2 and checked[1] == accounts._dummy_hash()  # one argon2 check each


def test_names_are_not_case_sensitive(path: Path) -> None:
    assert accounts.authenticate(path, "  ANA ", PASSWORD).name == "ana"
    with pytest.raises(CoalitionError, match="already exists"):
        accounts.add_user(path, "Ana", "viewer", PASSWORD)


def test_five_failures_lock_the_name_with_a_growing_delay(path: Path) -> None:
    for i in range(accounts.MAX_FAILURES):
        with pytest.raises(AuthError, match="wrong name or password"):
            accounts.authenticate(path, "ana", "not the password", now=T0 + timedelta(seconds=i))
    with pytest.raises(AuthError, match="locked.*try again in 1 minute$"):
        accounts.authenticate(path, "ana", PASSWORD, now=T0 + timedelta(seconds=10))  # even the right password
    assert accounts.list_users(path, now=T0 + timedelta(seconds=10))[0]["locked_until"] is not None
    later = T0 + timedelta(minutes=2)
    for i in range(accounts.MAX_FAILURES):  # the second lockout in a row lasts twice as long
        with pytest.raises(AuthError):
            accounts.authenticate(path, "ana", "not the password", now=later + timedelta(seconds=i))
    with pytest.raises(AuthError, match="try again in 2 minutes"):
        accounts.authenticate(path, "ana", PASSWORD, now=later + timedelta(seconds=10))
    assert accounts.authenticate(path, "ana", PASSWORD, now=later + timedelta(minutes=3)).name == "ana"
    with pytest.raises(AuthError, match="wrong name or password"):  # success cleared the count
        accounts.authenticate(path, "ana", "not the password", now=later + timedelta(minutes=4))


def test_one_address_trying_many_names_is_locked_too(path: Path) -> None:
    names = [f"guess{n}" for n in range(accounts.MAX_ADDRESS_FAILURES)]
    for i, name in enumerate(names):  # never MAX_FAILURES on one name
        with pytest.raises(AuthError, match="wrong name or password"):
            accounts.authenticate(path, name, "not the password", now=T0 + timedelta(seconds=i), address="203.0.113.9")
    with pytest.raises(
        AuthError, match="locked after too many failed attempts from this address: try again in 1 minute"
    ):
        accounts.authenticate(path, "ana", PASSWORD, now=T0 + timedelta(seconds=30), address="203.0.113.9")
    assert accounts.authenticate(path, "ana", PASSWORD, now=T0 + timedelta(seconds=30), address="198.51.100.7")
    assert accounts.authenticate(path, "ana", PASSWORD, now=T0 + timedelta(minutes=2), address="203.0.113.9")


def test_a_success_takes_back_only_its_own_attempt_from_the_address(path: Path) -> None:
    for i in range(accounts.MAX_ADDRESS_FAILURES - 1):
        with pytest.raises(AuthError, match="wrong name or password"):
            accounts.authenticate(path, f"guess{i}", "x", now=T0 + timedelta(seconds=i), address="203.0.113.9")
    accounts.authenticate(path, "ana", PASSWORD, now=T0 + timedelta(seconds=40), address="203.0.113.9")
    with pytest.raises(AuthError, match="wrong name or password"):  # the 20th failure locks from now on
        accounts.authenticate(path, "guess_last", "x", now=T0 + timedelta(seconds=41), address="203.0.113.9")
    with pytest.raises(AuthError, match="from this address"):
        accounts.authenticate(path, "ana", PASSWORD, now=T0 + timedelta(seconds=42), address="203.0.113.9")


def test_failures_further_apart_than_the_window_do_not_add_up(path: Path) -> None:
    for batch in range(2):
        start = T0 + batch * (accounts.FAILURE_WINDOW + timedelta(minutes=1))
        for i in range(accounts.MAX_FAILURES - 1):
            with pytest.raises(AuthError, match="wrong name or password"):
                accounts.authenticate(path, "ana", "not the password", now=start + timedelta(seconds=i))
    assert accounts.authenticate(path, "ana", PASSWORD, now=T0 + timedelta(hours=1)).name == "ana"


def test_an_unknown_name_locks_like_a_real_one(path: Path) -> None:
    messages = {}
    for name in ("ana", "nobody"):
        for i in range(accounts.MAX_FAILURES):
            with pytest.raises(AuthError):
                accounts.authenticate(path, name, "not the password", now=T0 + timedelta(seconds=i))
        with pytest.raises(AuthError) as raised:
            accounts.authenticate(path, name, "not the password", now=T0 + timedelta(seconds=30))
        messages[name] = str(raised.value)
    assert messages["ana"] == messages["nobody"] and "locked" in messages["ana"]


def test_guesses_sent_in_parallel_are_all_counted(path: Path) -> None:
    errors: list[str] = []

    def guess() -> None:
        try:
            accounts.authenticate(path, "ana", "not the password", now=T0)
        except AuthError as e:
            errors.append(str(e))

    threads = [threading.Thread(target=guess) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(errors) == 12
    assert sum("locked" in e for e in errors) == 12 - accounts.MAX_FAILURES  # no guess slipped past the count


def test_weak_passwords_are_refused(path: Path) -> None:
    with pytest.raises(CoalitionError, match="at least 12 characters"):
        accounts.add_user(path, "bea", "viewer", "short pass")
    with pytest.raises(CoalitionError, match="must not be the account's name"):
        accounts.add_user(path, "bea.longname.x", "viewer", "bea.longname.x")
    with pytest.raises(CoalitionError, match="at least 12 characters"):
        accounts.set_password(path, "ana", "x" * 11)


def test_roles_take_only_the_audiences_they_may_see(path: Path) -> None:
    assert accounts.add_user(path, "vic", "viewer", PASSWORD).audience == "coalition"
    assert accounts.add_user(path, "pia", "viewer", PASSWORD, audience="public").audience == "public"
    assert accounts.add_user(path, "eda", "editor", PASSWORD).audience == "coalition"
    for role in ("viewer", "editor"):
        with pytest.raises(CoalitionError, match="public"):
            accounts.add_user(path, f"x{role}", role, PASSWORD, audience="private")
    with pytest.raises(CoalitionError, match="unknown role"):
        accounts.add_user(path, "zed", "owner", PASSWORD)
    with pytest.raises(CoalitionError, match="account name"):
        accounts.add_user(path, "no spaces please", "viewer", PASSWORD)
    assert accounts.set_role(path, "vic", "editor").role == "editor"
    assert [(u["name"], u["role"], u["audience"]) for u in accounts.list_users(path)] == [
        ("ana", "admin", "private"),
        ("eda", "editor", "coalition"),
        ("pia", "viewer", "public"),
        ("vic", "editor", "coalition"),
    ]


def test_listing_accounts_never_shows_a_hash(path: Path) -> None:
    listed = accounts.list_users(path)
    assert listed[0]["password"] is True
    assert not any("argon2" in str(value) for row in listed for value in row.values())


def test_no_file_means_no_accounts_and_no_file_is_created(tmp_path: Path) -> None:
    missing = tmp_path / "accounts.db"
    assert accounts.accounts_configured(missing) is False
    assert accounts.list_users(missing) == [] and accounts.get_user(missing, "ana") is None
    with pytest.raises(AuthError, match="wrong name or password"):
        accounts.authenticate(missing, "ana", PASSWORD)
    assert not missing.exists()


def test_a_damaged_accounts_file_fails_closed(tmp_path: Path) -> None:
    damaged = tmp_path / "accounts.db"
    damaged.write_bytes(b"this is not a database, but it is there" * 100)
    with pytest.raises(CoalitionError, match="cannot read the accounts file"):
        accounts.accounts_configured(damaged)


def test_the_accounts_file_comes_from_coalition_accounts(tmp_path: Path) -> None:
    assert Settings.from_env({}).accounts_path == Path("accounts.db")
    assert Settings.from_env({"COALITION_ACCOUNTS": str(tmp_path / "team.db")}).accounts_path == tmp_path / "team.db"
    given = Settings.from_env({"COALITION_ACCOUNTS": str(tmp_path / "team.db")}, accounts=tmp_path / "given.db")
    assert given.accounts_path == tmp_path / "given.db"


def test_removing_accounts_keeps_an_admin_while_others_remain(path: Path) -> None:
    accounts.add_user(path, "vic", "viewer", PASSWORD)
    with pytest.raises(CoalitionError, match="last admin"):
        accounts.remove_user(path, "ana")
    with pytest.raises(CoalitionError, match="last admin"):
        accounts.set_role(path, "ana", "viewer")
    accounts.remove_user(path, "vic")
    with pytest.raises(NotFound, match="no account named 'vic'"):
        accounts.remove_user(path, "vic")
    with pytest.raises(AuthError, match="wrong name or password"):
        accounts.authenticate(path, "vic", PASSWORD)
    accounts.remove_user(path, "ana")  # the only account: back to no accounts
    assert accounts.accounts_configured(path) is False


def test_a_new_password_replaces_the_old_one_and_lifts_a_lock(path: Path) -> None:
    for i in range(accounts.MAX_FAILURES):
        with pytest.raises(AuthError):
            accounts.authenticate(path, "ana", "not the password", now=T0 + timedelta(seconds=i))
    before = accounts.get_user(path, "ana").password_changed_at
    accounts.set_password(path, "ana", "a brand new passphrase")
    with pytest.raises(AuthError, match="wrong name or password"):
        accounts.authenticate(path, "ana", PASSWORD, now=T0 + timedelta(seconds=20))
    assert accounts.authenticate(path, "ana", "a brand new passphrase", now=T0 + timedelta(seconds=21))
    assert accounts.get_user(path, "ana").password_changed_at != before  # open sessions end


def test_a_hash_made_with_older_settings_is_upgraded_at_sign_in(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stronger = PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1)
    monkeypatch.setattr(accounts, "_hasher", lambda: stronger)
    assert stronger.check_needs_rehash(stored_hash(path, "ana"))
    accounts.authenticate(path, "ana", PASSWORD)
    assert not stronger.check_needs_rehash(stored_hash(path, "ana"))
    assert accounts.authenticate(path, "ana", PASSWORD).name == "ana"


def test_an_identity_provider_account_cannot_sign_in_with_a_password(path: Path) -> None:
    accounts.add_user(path, "ola@example.org", "viewer", None)
    assert accounts.list_users(path)[1]["password"] is False
    with pytest.raises(AuthError, match="wrong name or password"):
        accounts.authenticate(path, "ola@example.org", "not a password")


def test_passwords_are_read_from_the_first_line_of_a_file(tmp_path: Path) -> None:
    secret = tmp_path / "password.txt"
    secret.write_text(PASSWORD + "\nanything else\n")
    assert accounts.read_password_file(secret) == PASSWORD
    secret.write_text("")
    with pytest.raises(CoalitionError, match="is empty"):
        accounts.read_password_file(secret)
    with pytest.raises(CoalitionError, match="cannot read the password file"):
        accounts.read_password_file(tmp_path / "missing.txt")


def test_sessions_expire_when_idle_and_after_the_longest_sign_in() -> None:
    policy = SessionPolicy()
    assert accounts.session_expired(T0, T0 + timedelta(minutes=29), T0 + timedelta(minutes=30), policy) is None
    assert "30 minutes" in accounts.session_expired(T0, T0, T0 + timedelta(minutes=30), policy)
    busy = T0 + timedelta(hours=8)
    assert "at most 8 hours" in accounts.session_expired(T0, busy - timedelta(minutes=1), busy, policy)


def test_session_limits_come_from_the_environment() -> None:
    policy = Settings.from_env({"COALITION_SESSION_IDLE_MINUTES": "5", "COALITION_SESSION_MAX_HOURS": "1"}).session
    assert policy == SessionPolicy(idle=timedelta(minutes=5), absolute=timedelta(hours=1))
    assert policy.describe() == "5 minutes without a click or 1 hour in all"
    assert Settings.from_env({}).session == SessionPolicy()
    with pytest.raises(CoalitionError, match="COALITION_SESSION_IDLE_MINUTES must be a number"):
        Settings.from_env({"COALITION_SESSION_IDLE_MINUTES": "soon"})


# the accounts file's schema --------------------------------------------------------------------
#: An accounts file as the program made it before ``schema_migrations``: migration 0001's
#: tables, counted in ``PRAGMA user_version``.
BEFORE_NAMED_MIGRATIONS = """
CREATE TABLE users (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL CHECK (role IN ('viewer', 'editor', 'admin')),
    audience TEXT NOT NULL CHECK (audience IN ('public', 'coalition', 'private')),
    password_hash TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    password_changed_at TEXT,
    last_login_at TEXT
);
CREATE TABLE login_attempts (
    name TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    window_started_at TEXT NOT NULL,
    last_failure_at TEXT NOT NULL,
    lockouts INTEGER NOT NULL DEFAULT 0,
    locked_until TEXT
);
PRAGMA user_version = 1;
"""


def applied(file: Path) -> list[str]:
    with sqlite3.connect(file) as db:
        return [row[0] for row in db.execute("SELECT name FROM schema_migrations ORDER BY name")]


def test_a_new_accounts_file_records_its_migrations_by_name(path: Path) -> None:
    assert applied(path) == [name for name, _ in accounts.MIGRATIONS]
    accounts.add_user(path, "vic", "viewer", PASSWORD)  # a second write applies nothing again
    assert applied(path) == [name for name, _ in accounts.MIGRATIONS]


def test_an_accounts_file_from_before_named_migrations_is_upgraded_in_place(
    tmp_path: Path, cheap_hashes: PasswordHasher
) -> None:
    file = tmp_path / "accounts.db"
    with sqlite3.connect(file) as db:
        db.executescript(BEFORE_NAMED_MIGRATIONS)
        db.execute(
            "INSERT INTO users (name, role, audience, password_hash, created_at, updated_at, password_changed_at)"
            " VALUES ('ana', 'admin', 'private', ?, '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00', 'then')",
            (CHEAP.hash(PASSWORD),),
        )
    assert accounts.accounts_configured(file)  # read as it is, before any write
    assert accounts.authenticate(file, "ana", PASSWORD, now=T0).role == "admin"  # the first write upgrades it
    assert applied(file) == [name for name, _ in accounts.MIGRATIONS]  # 0001 recorded, the rest applied
    with sqlite3.connect(file) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 1  # an older program still reads it
    accounts.add_user(file, "vic", "viewer", PASSWORD)
    assert [row["name"] for row in accounts.list_users(file)] == ["ana", "vic"]
    assert accounts.get_user(file, "ana").password_changed_at == "then"


def test_an_account_keeps_its_language_without_ending_its_sessions(tmp_path: Path) -> None:
    """The dashboard remembers the language an account chose (issue 19); the choice is
    not a change of the account, so open sessions go on."""
    path = tmp_path / "accounts.db"
    accounts.add_user(path, "ana", "editor", "correct horse battery", audience="coalition")
    before = accounts.get_user(path, "ana")
    assert before is not None and before.language is None
    accounts.set_language(path, "ana", "es_MX")
    after = accounts.get_user(path, "ana")
    assert after is not None and after.language == "es" and after == before
    with pytest.raises(accounts.CoalitionError, match="language: tlh is not a language"):
        accounts.set_language(path, "ana", "tlh")
    with pytest.raises(accounts.NotFound):
        accounts.set_language(path, "nobody", "fr")
