"""Accounts for a shared dashboard: who may sign in, with which role, and for how long.

Accounts live in their own SQLite file (``Settings.accounts_path``: COALITION_ACCOUNTS,
default ``accounts.db`` in the working folder), never in the map store: the computer
that serves the dashboard owns sign-in, whichever backend holds the map, and a map
exported, backed up or copied to Neo4j carries no password hashes. The file is created
readable by its owner only. Its schema grows by named migrations recorded in
``schema_migrations``, as the map store's does (``graph.sqlite.schema``); a file made
before that table existed is upgraded in place at its first write.

Roles (``coalition.auth.permissions`` says what each may do):

- ``viewer`` sees one assigned audience, public or coalition (never private);
- ``editor`` edits within the coalition audience (public or coalition);
- ``admin`` sees private data and manages accounts.

Passwords are hashed with argon2id (argon2-cffi's ``PasswordHasher`` defaults, RFC 9106
low-memory profile), normalized to NFKC first, and rehashed on sign-in when those
defaults change. At least ``MIN_PASSWORD_LENGTH`` characters.

Sign-in is throttled per name, whether or not an account has that name (so a lockout
does not tell anyone which names exist): ``MAX_FAILURES`` failures within
``FAILURE_WINDOW`` lock the name for ``FIRST_LOCK``, doubling with every further lockout
up to ``LONGEST_LOCK``; a successful sign-in clears it. Sign-in is throttled per address
too (the dashboard's client address), so one machine cannot try a few passwords on each
of many names: ``MAX_ADDRESS_FAILURES`` failures within ``FAILURE_WINDOW`` lock the
address the same way (more than per name: people behind one office or shelter router
share an address); a success takes back only its own attempt. An attempt is counted before the
password is checked, so guesses sent in parallel cannot slip past the counter. An
unknown name is checked against a dummy hash, so it takes as long as a wrong password.
Every failure gives the same one-line message.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import unicodedata
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from coalition.domain.errors import CoalitionError, NotFound
from coalition.domain.models import AUDIENCES
from coalition.domain.settings import SessionPolicy, spell_duration
from coalition.i18n import N_, _, ngettext, parse_language
from graph.sqlite.cipher import (
    DRIVER_ERRORS,
    Passphrase,
    WrongPassphrase,
    connect,
    is_encrypted,
    not_a_database,
    rewrite,
)
from graph.store import current_actor

__all__ = [
    "ROLES",
    "account_log",
    "ROLE_AUDIENCES",
    "MIN_PASSWORD_LENGTH",
    "LOCAL_OWNER",
    "AuthError",
    "User",
    "accounts_configured",
    "add_user",
    "convert_file",
    "list_users",
    "get_user",
    "remove_user",
    "set_password",
    "set_language",
    "set_role",
    "authenticate",
    "read_password_file",
    "session_expired",
    "use_passphrase",
]

ROLES: tuple[str, ...] = ("viewer", "editor", "admin")
#: The audiences an account of each role may be given (its ceiling); the first is the default.
ROLE_AUDIENCES: dict[str, tuple[str, ...]] = {
    "viewer": ("coalition", "public"),
    "editor": ("coalition", "public"),
    "admin": ("private",),
}
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024  # argon2 takes any length; this only bounds the work per attempt
NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._@+-]{0,99}$")

MAX_FAILURES = 5
MAX_ADDRESS_FAILURES = 20
#: The key an address is counted under (a space: no account name holds one).
ADDRESS_KEY = "address {}"
FAILURE_WINDOW = timedelta(minutes=15)
FIRST_LOCK = timedelta(minutes=1)
LONGEST_LOCK = timedelta(hours=1)
#: A name's lockout count is forgotten after this long without a failure.
FORGET_FAILURES_AFTER = timedelta(hours=24)

#: Every failed sign-in says this, as ``_(WRONG)``.
WRONG = N_("sign-in failed: wrong name or password")

#: Named migrations, applied in order once each and recorded in ``schema_migrations``. A
#: migration is never edited once released: a change to the schema is a new migration.
MIGRATIONS: list[tuple[str, str]] = [
    (
        "0001_accounts",
        """
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
        """,
    ),
    (
        "0002_account_log",
        """
        CREATE TABLE account_log (
            seq INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL CHECK (action IN ('add', 'remove', 'password', 'role')),
            name TEXT NOT NULL,
            before TEXT,
            after TEXT
        );
        """,
    ),
    # The dashboard's language each account chose (issue 19); NULL: the server's.
    ("0003_account_language", "ALTER TABLE users ADD COLUMN language TEXT;"),
]

#: What the account log records: who (``acting_as``), when, which account, and its role
#: and audience before and after; never a password or a hash.
LOG_FIELDS = ("role", "audience")


class AuthError(CoalitionError):
    """Sign-in refused. The message never says whether an account has the name."""


@dataclass(frozen=True)
class User:
    """Who is signed in. ``audience`` is the most this account may see."""

    name: str
    role: str
    audience: str
    password_changed_at: str | None = None
    #: The dashboard language this account chose (None: the server's). Not part of
    #: equality: changing it must not end the account's open sessions.
    language: str | None = field(default=None, compare=False)
    #: The owner of this computer in local single-user mode (no accounts, 127.0.0.1).
    local: bool = field(default=False, compare=False)


#: Local single-user mode: the person at this computer owns the map and may do anything.
LOCAL_OWNER = User(name="local", role="admin", audience="private", local=True)


def session_expired(
    signed_in_at: datetime, last_activity: datetime, now: datetime | None = None, policy: SessionPolicy | None = None
) -> str | None:
    """Why a session has expired (a sentence), or None while it is still good."""
    policy = policy or SessionPolicy()
    now = now or _now()
    if now - signed_in_at >= policy.absolute:
        return _("a sign-in lasts at most {duration}").format(duration=spell_duration(policy.absolute))
    if now - last_activity >= policy.idle:
        return _("nothing happened for {duration}").format(duration=spell_duration(policy.idle))
    return None


def accounts_configured(path: str | os.PathLike[str]) -> bool:
    """True when the accounts file exists and holds at least one account.

    Never creates the file. A file that exists but cannot be read raises (a server must
    not fall back to open, local mode because its accounts file is damaged).
    """
    with _reading(path) as db:
        return db is not None and db.execute("SELECT 1 FROM users LIMIT 1").fetchone() is not None


# managing accounts (the CLI's ``coalition user ...`` and the admin page) -------------------
def add_user(
    path: str | os.PathLike[str], name: str, role: str, password: str | None, audience: str | None = None
) -> User:
    """Create an account. ``password=None`` makes an account that can sign in only
    through the identity provider (its name is then the email the provider reports)."""
    name = _valid_name(name)
    role = _valid_role(role)
    audience = _valid_audience(role, audience)
    hashed = None if password is None else _hasher().hash(_valid_password(password, name))
    now = _iso(_now())
    changed = _stamp() if hashed else None
    with _writing(path) as db:
        if db.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone():
            raise CoalitionError(
                _("an account named '{name}' already exists; use passwd to change its password").format(name=name)
            )
        db.execute(
            "INSERT INTO users (name, role, audience, password_hash, created_at, updated_at, password_changed_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (name, role, audience, hashed, now, now, changed),
        )
        _log(db, "add", name, None, {"role": role, "audience": audience})
    return User(name=name, role=role, audience=audience, password_changed_at=changed)


def list_users(path: str | os.PathLike[str], now: datetime | None = None) -> list[dict[str, Any]]:
    """Every account (never a hash): name, role, audience, password (set or not),
    created_at, last_login_at and locked_until (while a lockout lasts)."""
    now = _iso(now or _now())
    with _reading(path) as db:
        if db is None:
            return []
        rows = db.execute(
            "SELECT u.name, u.role, u.audience, u.password_hash IS NOT NULL AS password, u.created_at,"
            " u.last_login_at, CASE WHEN a.locked_until > ? THEN a.locked_until END AS locked_until"
            " FROM users u LEFT JOIN login_attempts a ON a.name = u.name ORDER BY u.name",
            (now,),
        ).fetchall()
    return [{**dict(row), "password": bool(row["password"])} for row in rows]


def get_user(path: str | os.PathLike[str], name: str) -> User | None:
    """The account with this name, or None (used to re-check a session on every page)."""
    with _reading(path) as db:
        if db is None:
            return None
        row = db.execute("SELECT * FROM users WHERE name = ?", (_normal_name(name),)).fetchone()
    return None if row is None else _user(row)


def remove_user(path: str | os.PathLike[str], name: str) -> None:
    """Delete an account; its open sessions end at their next click. The last admin
    cannot be removed while other accounts remain (nobody could manage them)."""
    name = _normal_name(name)
    with _writing(path) as db:
        row = _existing(db, name)
        others = db.execute("SELECT COUNT(*) FROM users WHERE name != ?", (name,)).fetchone()[0]
        if row["role"] == "admin" and others and _admins(db) == 1:
            raise CoalitionError(
                _("'{name}' is the last admin; add another admin before removing it").format(name=name)
            )
        db.execute("DELETE FROM users WHERE name = ?", (name,))
        db.execute("DELETE FROM login_attempts WHERE name = ?", (name,))
        _log(db, "remove", name, {f: row[f] for f in LOG_FIELDS}, None)


def set_password(path: str | os.PathLike[str], name: str, password: str) -> None:
    """Change an account's password; this also lifts a lockout and ends its open sessions."""
    name = _normal_name(name)
    hashed = _hasher().hash(_valid_password(password, name))
    now = _iso(_now())
    with _writing(path) as db:
        _existing(db, name)
        db.execute(
            "UPDATE users SET password_hash = ?, password_changed_at = ?, updated_at = ? WHERE name = ?",
            (hashed, _stamp(), now, name),
        )
        db.execute("DELETE FROM login_attempts WHERE name = ?", (name,))
        _log(db, "password", name, None, None)


def set_role(path: str | os.PathLike[str], name: str, role: str, audience: str | None = None) -> User:
    """Change an account's role (and audience); open sessions follow at their next click."""
    name = _normal_name(name)
    role = _valid_role(role)
    audience = _valid_audience(role, audience)
    with _writing(path) as db:
        row = _existing(db, name)
        if row["role"] == "admin" and role != "admin" and _admins(db) == 1:
            raise CoalitionError(_("'{name}' is the last admin; add another admin first").format(name=name))
        db.execute(
            "UPDATE users SET role = ?, audience = ?, updated_at = ? WHERE name = ?",
            (role, audience, _iso(_now()), name),
        )
        _log(db, "role", name, {f: row[f] for f in LOG_FIELDS}, {"role": role, "audience": audience})
        return _user(_existing(db, name))


def set_language(path: str | os.PathLike[str], name: str, language: str) -> None:
    """Remember the dashboard language an account chose, for its next sessions."""
    name = _normal_name(name)
    code = parse_language(language, source="language")
    with _writing(path) as db:
        _existing(db, name)
        db.execute("UPDATE users SET language = ? WHERE name = ?", (code, name))


def account_log(path: str | os.PathLike[str], limit: int | None = 100) -> list[dict[str, Any]]:
    """Account changes, newest first: ``seq``, ``at``, ``actor``, ``action`` (add, remove,
    password, role), ``name``, and the role and audience ``before`` and ``after``."""
    with _reading(path) as db:
        if db is None:
            return []
        known = db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'account_log'").fetchone()
        if known is None:
            return []
        rows = db.execute("SELECT * FROM account_log ORDER BY seq DESC LIMIT ?", (-1 if limit is None else limit,))
        return [
            {**dict(row), "before": _loaded(row["before"]), "after": _loaded(row["after"])} for row in rows.fetchall()
        ]


def read_password_file(path: str | os.PathLike[str]) -> str:
    """The password in a file (its first line, without the line ending), for
    ``--password-file``: a password never goes on the command line, where other users
    of the computer and the shell history can read it."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise CoalitionError(_("cannot read the password file {path}: {error}").format(path=path, error=e)) from e
    lines = text.splitlines()
    if not lines or not lines[0]:
        raise CoalitionError(_("the password file {path} is empty").format(path=path))
    return lines[0]


# signing in ---------------------------------------------------------------------------------
def authenticate(
    path: str | os.PathLike[str], name: str, password: str, now: datetime | None = None, address: str | None = None
) -> User:
    """The account, when the name and password match and neither the name nor the
    ``address`` the attempt comes from is locked.

    Raises ``AuthError`` with a message that does not reveal whether the account exists.
    """
    now = now or _now()
    now = now if now.tzinfo else now.replace(tzinfo=UTC)
    key = _normal_name(name)[:200]
    if not key or not accounts_configured(path):
        _verify(_dummy_hash(), password)
        raise AuthError(_(WRONG))
    from_address = ADDRESS_KEY.format(address[:100]) if address else None
    with _writing(path) as db:
        locked = _count_attempt(db, key, now)
        by_address = False
        address_before = None
        if from_address is not None:
            address_before = db.execute("SELECT * FROM login_attempts WHERE name = ?", (from_address,)).fetchone()
            address_locked = _count_attempt(db, from_address, now, MAX_ADDRESS_FAILURES)
            if address_locked is not None and (locked is None or address_locked > locked):
                locked, by_address = address_locked, True
        row = db.execute("SELECT * FROM users WHERE name = ?", (key,)).fetchone()
    if locked is not None:
        _verify(_dummy_hash(), password)
        minutes = max(1, -(-int((locked - now).total_seconds()) // 60))
        message = (
            ngettext(
                "sign-in locked after too many failed attempts from this address: try again in {count} minute",
                "sign-in locked after too many failed attempts from this address: try again in {count} minutes",
                minutes,
            )
            if by_address
            else ngettext(
                "sign-in locked after too many failed attempts for this name: try again in {count} minute",
                "sign-in locked after too many failed attempts for this name: try again in {count} minutes",
                minutes,
            )
        )
        raise AuthError(message.format(count=minutes))
    stored = row["password_hash"] if row is not None else None
    if not _verify(stored or _dummy_hash(), password) or stored is None:
        raise AuthError(_(WRONG))
    with _writing(path) as db:
        db.execute("DELETE FROM login_attempts WHERE name = ?", (key,))
        db.execute("DELETE FROM login_attempts WHERE name = ?", (from_address,))
        if address_before is not None:  # the address's count as it was before this attempt
            db.execute(
                "INSERT INTO login_attempts (name, failures, window_started_at, last_failure_at, lockouts, locked_until)"
                " VALUES (:name, :failures, :window_started_at, :last_failure_at, :lockouts, :locked_until)",
                dict(address_before),
            )
        db.execute("UPDATE users SET last_login_at = ? WHERE name = ?", (_iso(now), key))
        if _hasher().check_needs_rehash(stored):
            db.execute(
                "UPDATE users SET password_hash = ? WHERE name = ? AND password_hash = ?",
                (_hasher().hash(_normal_password(password)), key, stored),
            )
    return _user(row)


def _count_attempt(db: sqlite3.Connection, name: str, now: datetime, limit: int = MAX_FAILURES) -> datetime | None:
    """Count one attempt of a name (or an address) as a failure (undone on success); the
    lock's end if locked."""
    db.execute("DELETE FROM login_attempts WHERE last_failure_at < ?", (_iso(now - FORGET_FAILURES_AFTER),))
    row = db.execute("SELECT * FROM login_attempts WHERE name = ?", (name,)).fetchone()
    if row is not None and row["locked_until"] and _parse(row["locked_until"]) > now:
        return _parse(row["locked_until"])
    failures, started, lockouts = (
        (0, now, 0) if row is None else (row["failures"], _parse(row["window_started_at"]), row["lockouts"])
    )
    if now - started > FAILURE_WINDOW:
        failures, started = 0, now
    failures += 1
    locked_until = None
    if failures >= limit:
        lockouts += 1
        locked_until = now + min(FIRST_LOCK * 2 ** (lockouts - 1), LONGEST_LOCK)
        failures, started = 0, now
    db.execute(
        "INSERT INTO login_attempts (name, failures, window_started_at, last_failure_at, lockouts, locked_until)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET failures = excluded.failures,"
        " window_started_at = excluded.window_started_at, last_failure_at = excluded.last_failure_at,"
        " lockouts = excluded.lockouts, locked_until = excluded.locked_until",
        (name, failures, _iso(started), _iso(now), lockouts, _iso(locked_until) if locked_until else None),
    )
    return None


# helpers ------------------------------------------------------------------------------------
@cache
def _hasher() -> PasswordHasher:
    return PasswordHasher()


@cache
def _dummy_hash() -> str:
    return _hasher().hash("not a password: only makes unknown names as slow as known ones")


def _verify(hashed: str, password: str) -> bool:
    try:
        return _hasher().verify(hashed, _normal_password(password))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _normal_password(password: str) -> str:
    return unicodedata.normalize("NFKC", password[: MAX_PASSWORD_LENGTH * 4])


def _valid_password(password: str, name: str) -> str:
    password = _normal_password(password)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise CoalitionError(
            ngettext(
                "a password needs at least {count} character (a few words work well)",
                "a password needs at least {count} characters (a few words work well)",
                MIN_PASSWORD_LENGTH,
            ).format(count=MIN_PASSWORD_LENGTH)
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise CoalitionError(
            ngettext(
                "a password may have at most {count} character",
                "a password may have at most {count} characters",
                MAX_PASSWORD_LENGTH,
            ).format(count=MAX_PASSWORD_LENGTH)
        )
    if password.strip().lower() == name:
        raise CoalitionError(_("a password must not be the account's name"))
    return password


def _normal_name(name: str) -> str:
    return unicodedata.normalize("NFKC", name or "").strip().lower()


def _valid_name(name: str) -> str:
    normal = _normal_name(name)
    if not NAME_PATTERN.match(normal):
        raise CoalitionError(
            _(
                "an account name has 1 to 100 letters, digits or . _ @ + - and starts with a letter or digit "
                "(an email address works)"
            )
        )
    return normal


def _valid_role(role: str) -> str:
    if role not in ROLES:
        raise CoalitionError(_("unknown role '{role}'; roles: {roles}").format(role=role, roles=", ".join(ROLES)))
    return role


def _valid_audience(role: str, audience: str | None) -> str:
    allowed = ROLE_AUDIENCES[role]
    if audience is None:
        return allowed[0]
    if audience not in allowed:
        if audience not in AUDIENCES:
            raise CoalitionError(
                _("unknown audience '{audience}'; audiences: {audiences}").format(
                    audience=audience, audiences=", ".join(AUDIENCES)
                )
            )
        # TRANSLATORS: {role} is viewer, editor or admin; the audiences are public, coalition, private
        raise CoalitionError(
            _("an {role} account's audience is one of: {audiences} (got '{audience}')").format(
                role=role, audiences=", ".join(allowed), audience=audience
            )
        )
    return audience


def _user(row: sqlite3.Row) -> User:
    return User(
        name=row["name"],
        role=row["role"],
        audience=row["audience"],
        password_changed_at=row["password_changed_at"],
        language=row["language"] if "language" in row.keys() else None,  # a file read before its migration
    )


def _existing(db: sqlite3.Connection, name: str) -> sqlite3.Row:
    row = db.execute("SELECT * FROM users WHERE name = ?", (name,)).fetchone()
    if row is None:
        raise NotFound(_("no account named '{name}'").format(name=name))
    return row


def _admins(db: sqlite3.Connection) -> int:
    return db.execute("SELECT COUNT(*) FROM users WHERE role = 'admin'").fetchone()[0]


#: The passphrase of each encrypted accounts file this process opens, by resolved path:
#: the map's own, set by whoever opened an encrypted map (``use_passphrase``).
_KEYS: dict[str, Passphrase] = {}


def use_passphrase(path: str | os.PathLike[str], passphrase: Passphrase | None) -> None:
    """Open the accounts file at ``path`` with ``passphrase`` from now on, and create it
    encrypted if it does not exist yet: an encrypted map's accounts file is encrypted too,
    with the same passphrase (None: plain again)."""
    key = str(Path(path).resolve())
    if passphrase is None:
        _KEYS.pop(key, None)
    else:
        _KEYS[key] = passphrase


def convert_file(path: str | os.PathLike[str], key: Passphrase | None, new_key: Passphrase | None) -> bool:
    """Rewrite the accounts file under ``new_key`` (None: plain), as ``coalition encrypt``,
    ``decrypt`` and ``rekey`` do the map: the original is replaced only once the copy
    passes SQLite's integrity check and holds the same accounts and log. False when
    there is no accounts file, or it is already as asked."""
    file = Path(path)
    if not file.exists() or not file.stat().st_size or (key is None) != (not is_encrypted(file)):
        return False
    use_passphrase(file, key)
    with _reading(file) as db:
        before = _account_counts(db)

    def verify(copy: Path) -> None:
        with closing(connect(copy, new_key, isolation_level=None)) as db:
            if db.execute("PRAGMA integrity_check").fetchone()[0] != "ok" or _account_counts(db) != before:
                raise CoalitionError(
                    _("the converted copy of {file} did not check clean; it was not changed").format(file=file)
                )

    rewrite(file, key, new_key, verify)
    use_passphrase(file, new_key)
    return True


def _account_counts(db: Any) -> tuple[int, ...]:
    if db is None:
        return ()
    return tuple(db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in ("users", "account_log"))  # noqa: S608


def _connect(file: Path, read_only: bool = False) -> Any:
    """A connection to the accounts file, keyed when ``use_passphrase`` gave it a key.
    Whether the file is encrypted is read from its header only once an open has failed
    (``cipher.is_encrypted`` says why), to say why in one line."""
    key = _KEYS.get(str(file.resolve()))
    target = f"{file.resolve().as_uri()}?mode=ro" if read_only else str(file)
    try:
        return connect(target, key, timeout=10, isolation_level=None, uri=read_only)
    except WrongPassphrase:
        if not is_encrypted(file):
            raise CoalitionError(
                _("the accounts file {file} is not encrypted but the map is: `coalition encrypt` encrypts it").format(
                    file=file
                )
            ) from None
        raise CoalitionError(
            _("cannot open the accounts file {file}: wrong passphrase, or the file is damaged").format(file=file)
        ) from None


def _unreadable(file: Path, error: Exception, what: str) -> CoalitionError:
    """One line for a driver error on the accounts file, which ``what`` ("read" or
    "write") failed."""
    if not_a_database(error) and _KEYS.get(str(file.resolve())) is None:
        message = (
            _(
                "cannot read the accounts file {file}: it is not a plain SQLite file; if it is encrypted, give "
                "the map's passphrase (--passphrase-file F or COALITION_PASSPHRASE_FILE)"
            )
            if what == "read"
            else _(
                "cannot write the accounts file {file}: it is not a plain SQLite file; if it is encrypted, give "
                "the map's passphrase (--passphrase-file F or COALITION_PASSPHRASE_FILE)"
            )
        )
    else:
        message = (
            _("cannot read the accounts file {file}: {error}")
            if what == "read"
            else _("cannot write the accounts file {file}: {error}")
        )
    return CoalitionError(message.format(file=file, error=error))


@contextmanager
def _reading(path: str | os.PathLike[str]) -> Iterator[sqlite3.Connection | None]:
    """A read-only connection, or None when there is no accounts file (or no table yet)."""
    file = Path(path)
    if not file.exists():
        yield None
        return
    try:
        with closing(_connect(file, read_only=True)) as db:
            if db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'users'").fetchone() is None:
                yield None
            else:
                yield db
    except DRIVER_ERRORS as e:
        raise _unreadable(file, e, "read") from e


@contextmanager
def _writing(path: str | os.PathLike[str]) -> Iterator[sqlite3.Connection]:
    """One write transaction (``BEGIN IMMEDIATE``) on the accounts file, created and
    migrated first if needed; an error rolls everything back."""
    file = Path(path)
    try:
        _create_private(file)
        with closing(_connect(file)) as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                _migrate(db)
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
    except DRIVER_ERRORS as e:
        raise _unreadable(file, e, "write") from e


def _create_private(file: Path) -> None:
    """Create the file readable and writable by its owner only (it holds password hashes)."""
    if file.exists():
        return
    file.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.close(os.open(file, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        pass


def _migrate(db: sqlite3.Connection) -> None:
    """Apply the migrations not yet recorded in ``schema_migrations``, inside the caller's
    transaction.

    Files made before that table existed counted their migrations in ``PRAGMA
    user_version`` instead; the first that many are recorded by name before anything
    runs. ``user_version`` is left as it was, so an older copy of the program still
    reads an upgraded file.
    """
    if db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").fetchone() is None:
        db.execute("CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
        counted = db.execute("PRAGMA user_version").fetchone()[0]
        db.executemany(
            "INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)",
            [(name, _iso(_now())) for name, _script in MIGRATIONS[:counted]],
        )
    done = {row[0] for row in db.execute("SELECT name FROM schema_migrations")}
    for name, script in MIGRATIONS:
        if name not in done:
            for statement in filter(str.strip, script.split(";")):
                db.execute(statement)
            db.execute("INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)", (name, _iso(_now())))


def _log(db: sqlite3.Connection, action: str, name: str, before: dict | None, after: dict | None) -> None:
    """One account log entry, in the change's own transaction."""
    db.execute(
        "INSERT INTO account_log (at, actor, action, name, before, after) VALUES (?, ?, ?, ?, ?, ?)",
        (_iso(_now()), current_actor(), action, name, _dumped(before), _dumped(after)),
    )


def _dumped(value: dict | None) -> str | None:
    return None if value is None else json.dumps(value, sort_keys=True)


def _loaded(text: str | None) -> dict | None:
    return None if text is None else json.loads(text)


def _now() -> datetime:
    return datetime.now(UTC)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _stamp() -> str:
    """When a password changed, to the microsecond: open sessions compare it to end."""
    return _now().isoformat(timespec="microseconds")


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text)
