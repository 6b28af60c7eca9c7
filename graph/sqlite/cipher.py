"""Opening a SQLite map that is encrypted at rest, and telling the two kinds of file apart.

An encrypted map is a SQLCipher 4 database, opened through ``sqlcipher3`` (binary wheels
with SQLCipher and OpenSSL built in: nothing to compile or download at run time). Every
page of the file and of its write-ahead log is encrypted with AES-256-CBC and
authenticated with HMAC-SHA512; the key comes from the passphrase through
PBKDF2-HMAC-SHA512 with 256,000 iterations and a random 16-byte salt kept in the file's
first bytes (SQLCipher 4's defaults, pinned here with ``cipher_compatibility = 4`` so a
later library cannot quietly change them). Temporary tables and sort files are kept in
memory, so no plaintext page reaches the temp folder.

Why SQLCipher rather than SQLite3 Multiple Ciphers (``apsw-sqlite3mc``, also maintained
and with binary wheels): ``sqlcipher3`` speaks Python's DB-API like ``sqlite3``, so the
store's SQL, transactions and migrations are the same code for both kinds of file;
SQLCipher's format is the one other tools open (DB Browser for SQLite, the ``sqlcipher``
shell); and its KDF and page authentication are documented and audited. apsw would mean a
second store written against another API.

A plain map keeps using the standard library's ``sqlite3`` (its ``serialize`` makes the
file-copy backups), so nothing changes for maps that are not encrypted.
"""

from __future__ import annotations

import glob
import os
import secrets
import sqlite3
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlcipher3 import dbapi2 as sqlcipher

from graph.errors import StoreError

__all__ = [
    "DATABASE_ERRORS",
    "DRIVER_ERRORS",
    "INTEGRITY_ERRORS",
    "KDF",
    "Passphrase",
    "WrongPassphrase",
    "connect",
    "export_copy",
    "is_encrypted",
    "not_a_database",
    "rewrite",
]

#: The database errors of both drivers (they are separate classes).
DATABASE_ERRORS = (sqlite3.DatabaseError, sqlcipher.DatabaseError)
INTEGRITY_ERRORS = (sqlite3.IntegrityError, sqlcipher.IntegrityError)
#: Every error either driver raises.
DRIVER_ERRORS = (sqlite3.Error, sqlcipher.Error)
#: How a passphrase becomes the key, as the README states it.
KDF = "PBKDF2-HMAC-SHA512, 256,000 iterations, random 16-byte salt per file (SQLCipher 4)"
SQLITE_MAGIC = b"SQLite format 3\x00"


class WrongPassphrase(StoreError):
    """The passphrase does not open the file, or the file is damaged: SQLCipher cannot
    tell the two apart, and neither can an attacker."""


class Passphrase:
    """A passphrase that never shows itself: not in a repr, a log line, an error or a
    traceback's locals. ``reveal`` is called in one place, where the key is set."""

    __slots__ = ("_secret",)

    def __init__(self, secret: str) -> None:
        secret = unicodedata.normalize("NFC", secret)
        if not secret:
            raise ValueError("empty passphrase")
        if "\x00" in secret:
            raise ValueError("a passphrase cannot hold a NUL character")
        self._secret = secret

    def reveal(self) -> str:
        return self._secret

    def __repr__(self) -> str:
        return "Passphrase(hidden)"

    __str__ = __repr__


def is_encrypted(path: str | Path) -> bool:
    """Whether the file at ``path`` exists, holds something, and is not a plain SQLite
    file (an encrypted file starts with its random salt, not SQLite's header).

    Never ask it of a file SQLite has open in this process: opening and closing another
    descriptor of a database file drops every POSIX lock the process holds on it (fcntl
    locks belong to the process, and any ``close`` releases them), letting another
    process write under a reader or beside a writer. So the store does not ask before it
    connects: it connects, and reads the header only to explain a refusal."""
    try:
        with open(path, "rb") as file:
            head = file.read(len(SQLITE_MAGIC))
    except FileNotFoundError:
        return False
    return bool(head) and head != SQLITE_MAGIC


def not_a_database(error: Exception) -> bool:
    """Whether a driver error says the file is not a (plain) SQLite database."""
    return "not a database" in str(error)


def connect(path: str | Path, passphrase: Passphrase | None, **options: Any) -> Any:
    """A connection to the file: ``sqlite3`` without a passphrase, SQLCipher keyed with
    it otherwise (``WrongPassphrase`` when the key does not open the file). The row
    factory is each driver's own ``Row``."""
    if passphrase is None:
        conn = sqlite3.connect(path, **options)
        conn.row_factory = sqlite3.Row
        return conn
    conn = sqlcipher.connect(str(path), **options)
    try:
        set_key(conn, passphrase)
    except BaseException:
        conn.close()
        raise
    conn.row_factory = sqlcipher.Row
    return conn


def set_key(conn: Any, passphrase: Passphrase) -> None:
    """Key a SQLCipher connection and prove the key opens the file by reading its schema."""
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")  # a wrong key is our one line, not SQLCipher's log
        conn.execute(f"PRAGMA key = {_literal(passphrase.reveal())}")
        conn.execute("PRAGMA cipher_compatibility = 4")
        conn.execute("PRAGMA temp_store = MEMORY")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher.DatabaseError:
        raise WrongPassphrase("wrong passphrase, or the file is damaged") from None


def export_copy(source: Path, target: Path, key: Passphrase | None, new_key: Passphrase | None) -> None:
    """Write a copy of the map at ``source`` (opened with ``key``, or plain) to the new
    file ``target`` encrypted with ``new_key`` (or plain), with SQLCipher's
    ``sqlcipher_export``: the whole schema and content, page by page, in one read
    transaction. ``target`` must not exist yet."""
    conn = sqlcipher.connect(str(source), isolation_level=None)
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")
        if key is not None:
            set_key(conn, key)
        else:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        literal = _literal(new_key.reveal()) if new_key is not None else "''"
        conn.execute(f"ATTACH DATABASE {_literal(str(target))} AS copy KEY {literal}")
        if new_key is not None:
            conn.execute("PRAGMA copy.cipher_compatibility = 4")
        conn.execute("BEGIN")
        conn.execute("SELECT sqlcipher_export('copy')").fetchone()
        conn.execute("COMMIT")
        conn.execute("DETACH DATABASE copy")
    except sqlcipher.DatabaseError as e:
        raise StoreError(f"cannot copy {source}: {_without_key(e)}") from None
    finally:
        conn.close()


def rewrite(path: Path, key: Passphrase | None, new_key: Passphrase | None, verify: Callable[[Path], None]) -> None:
    """Replace the SQLite file at ``path`` (opened with ``key``) by a copy under
    ``new_key``, once ``verify`` (which raises when the copy is not right) accepts the
    copy. Copies an earlier, killed rewrite left are removed first (a half-made plain
    copy must not linger); a failure removes this one; the original is only ever
    replaced by a rename, which is atomic on one file system."""
    for leftover in path.parent.glob(f".{glob.escape(path.name)}.*.converting*"):
        leftover.unlink(missing_ok=True)
    copy = path.with_name(f".{path.name}.{secrets.token_hex(4)}.converting")
    try:
        os.close(os.open(copy, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        export_copy(path, copy, key, new_key)
        verify(copy)
        os.replace(copy, path)
    except BaseException:
        for leftover in (copy, copy.with_name(copy.name + "-wal"), copy.with_name(copy.name + "-shm")):
            leftover.unlink(missing_ok=True)
        raise
    _sync_folder(path.parent)


def _sync_folder(folder: Path) -> None:
    """Make a rename durable (POSIX: fsync the folder)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # a file system that cannot sync folders: the rename is still atomic
    finally:
        os.close(fd)


def _literal(text: str) -> str:
    """``text`` as an SQL string literal (PRAGMA key takes no bound parameters)."""
    return "'" + text.replace("'", "''") + "'"


def _without_key(error: Exception) -> str:
    """A driver error as text. SQLite quotes part of a statement only in a syntax error
    ("near ..."), and these statements hold the key: such a message is not repeated."""
    text = str(error)
    return "SQLite refused the statement" if "near " in text else text
