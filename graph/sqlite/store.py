"""The embedded store: one SQLite file, no server.

Done the way sqlite-utils and datasette do it: WAL so readers never wait for the
writer, foreign keys on, one writer connection behind a lock, one read connection per
thread, every write in ``BEGIN IMMEDIATE ... COMMIT`` (a failure rolls the whole write
back, and so does a process killed halfway: SQLite ignores uncommitted WAL frames), and
named migrations (``graph.sqlite.schema``) recorded in a table so older files upgrade in
place. The audit entries of a write are inserted in the write's own transaction.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from graph.errors import StoreError, StoreUnavailable
from graph.sqlite.cipher import (
    DATABASE_ERRORS,
    INTEGRITY_ERRORS,
    Passphrase,
    WrongPassphrase,
    connect,
    is_encrypted,
    not_a_database,
)
from graph.sqlite.image import image_of
from graph.sqlite.rows import (
    append_audit,
    audit_record,
    count_records,
    get_organization_row,
    intro_key,
    introductions_where,
    read_content,
    read_map,
    store_version,
    tie_key,
    write_records,
)
from graph.sqlite.schema import MIGRATIONS, apply_migrations, pending_migrations, storage_problems
from graph.store import (
    ExpectedVersions,
    MapSnapshot,
    Record,
    Store,
    audit_json,
    change_entries,
    current_actor,
    delete_entry,
    now_iso,
    restored_history,
    side_entries,
    side_key,
)

__all__ = ["SQLiteStore", "MIGRATIONS", "read_content"]

MAP_TABLES = ("introductions", "ties", "org_movements", "organizations", "movements", "side_records")
#: The most each connection caches, in KiB.
CACHE_KIB = 64 * 1024


class SQLiteStore(Store):
    """A map in one SQLite file. One object may be shared by many threads."""

    def __init__(self, path: str | Path, url: str | None = None, passphrase: Passphrase | None = None) -> None:
        self.path = Path(path)
        self.file = self.path
        self.url = url or f"sqlite:///{self.path}"
        self.passphrase = passphrase
        self._write_lock = threading.RLock()
        self._unit = threading.local()  # the unit of work this thread is in: .conn, .doomed
        self._writer: sqlite3.Connection | None = None
        # Read connections are lent out one read at a time and come back to this pool, so
        # there are never more of them than reads running at once, whatever the number of
        # threads (Streamlit runs every page in a new thread).
        self._idle_readers: list[sqlite3.Connection] = []
        self._all_connections: list[sqlite3.Connection] = []

    # connections -------------------------------------------------------------------
    def _connect(self, create: bool = False) -> sqlite3.Connection:
        if not self.path.parent.exists():
            raise StoreUnavailable(f"cannot open {self.path}: folder {self.path.parent} does not exist")
        if not create and not self.path.exists():
            raise StoreUnavailable(f"no map at {self.path}: run `coalition init` (or `coalition demo`) first")
        if create and not self.path.exists():
            _create_private(self.path)
        try:
            conn = connect(self.path, self.passphrase, isolation_level=None, check_same_thread=False, timeout=30)
        except WrongPassphrase:
            raise self._refusal() from None
        except DATABASE_ERRORS as e:
            raise StoreError(f"cannot open {self.path} as a SQLite map: {e}") from e
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA synchronous = NORMAL")
            # A large import touches every page of the ties and audit b-trees: with
            # SQLite's 2 MB default they are evicted and read back over and over (a
            # 200,000-tie import wrote its ties in 3.0 s instead of 1.7 s). A limit, not
            # an allocation: pages are cached as they are read.
            conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        except DATABASE_ERRORS as e:
            conn.close()
            if self.passphrase is None and not_a_database(e):
                raise self._refusal() from None
            raise StoreError(f"cannot open {self.path} as a SQLite map: {e}") from e
        self._all_connections.append(conn)
        return conn

    @property
    def encrypted(self) -> bool:
        return self.passphrase is not None

    def _refusal(self) -> StoreError:
        """Why the file did not open, read from its header once the open has failed (see
        ``cipher.is_encrypted``). A plain file given a passphrase is refused rather than
        opened plain: a map swapped for a plain file would otherwise collect new data
        unencrypted."""
        encrypted = is_encrypted(self.path)
        if self.passphrase is None:
            return StoreUnavailable(
                f"{self.path} is encrypted (or not a SQLite file at all): give its passphrase "
                "(--passphrase-file F or COALITION_PASSPHRASE_FILE)"
            )
        if not encrypted:
            return StoreUnavailable(
                f"{self.path} is not encrypted, but a passphrase was given: encrypt it with `coalition encrypt` "
                "or open it without a passphrase"
            )
        return WrongPassphrase(f"cannot open {self.path}: wrong passphrase, or the file is damaged")

    def _writer_connection(self, create: bool = False) -> sqlite3.Connection:
        """The one write connection; a file made by an older version is upgraded on first
        use, and a map file (with its -wal and -shm) readable by others is made private."""
        if self._writer is None:
            conn = self._connect(create=create)
            _make_private(self.path)
            pending = pending_migrations(conn)
            if pending and "0001_initial" not in pending:
                self._transaction(conn, lambda: apply_migrations(conn), "upgrade")
            self._writer = conn
        return self._writer

    def _transaction(self, conn: sqlite3.Connection, work: Any, what: str) -> Any:
        try:
            conn.execute("BEGIN IMMEDIATE")
            result = work()
            conn.execute("COMMIT")
            return result
        except DATABASE_ERRORS as e:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise StoreError(f"cannot {what} {self.path}: {e}") from e

    @contextmanager
    def transaction(self) -> Iterator[None]:
        if getattr(self._unit, "conn", None) is not None:
            try:
                yield  # joins the unit of work this thread is already in
            except BaseException:
                self._unit.doomed = True  # what the inner block wrote may be half done
                raise
            return
        with self._write_lock:
            conn = self._writer_connection()
            try:
                conn.execute("BEGIN IMMEDIATE")
            except DATABASE_ERRORS as e:
                raise StoreError(f"cannot write to {self.path}: {e}") from e
            self._unit.conn, self._unit.doomed = conn, False
            try:
                self._require_schema(conn)
                yield
                if self._unit.doomed:
                    raise StoreError(f"a write to {self.path} failed inside this change, so the map was not changed")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            finally:
                self._unit.conn = None
            try:
                conn.execute("COMMIT")
            except DATABASE_ERRORS as e:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise StoreError(f"cannot write to {self.path}, the map was not changed: {e}") from e

    @contextmanager
    def _write(self, actor: str | None) -> Iterator[tuple[sqlite3.Connection, list[Record]]]:
        """One write: its audit entries and the version bump go with it, inside the unit of
        work of this thread (a new one when there is none). The block appends audit entries
        to the list it gets; an error dooms the unit."""
        actor = current_actor(actor)
        with self.transaction():
            conn = self._unit.conn
            try:
                log: list[Record] = []
                yield conn, log
                append_audit(conn, log, actor, now_iso())
                conn.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'version'")
            except BaseException as e:
                self._unit.doomed = True
                if isinstance(e, INTEGRITY_ERRORS):
                    raise StoreError(f"the map was not changed: {e}") from e
                if isinstance(e, DATABASE_ERRORS):
                    raise StoreError(f"cannot write to {self.path}, the map was not changed: {e}") from e
                raise

    @contextmanager
    def _lend(self) -> Iterator[sqlite3.Connection]:
        """A read connection for this block only, from the pool (or a new one)."""
        try:
            conn = self._idle_readers.pop()  # list.pop and append are atomic
        except IndexError:
            conn = self._connect()
        try:
            yield conn
        except DATABASE_ERRORS as e:
            raise StoreError(f"cannot read {self.path}: {e}") from e
        finally:
            self._idle_readers.append(conn)

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        """A consistent read: every select in the block sees the same committed state (or,
        inside a unit of work, the unit's own state)."""
        unit = getattr(self._unit, "conn", None)
        if unit is not None:
            try:
                yield unit
            except DATABASE_ERRORS as e:
                raise StoreError(f"cannot read {self.path}: {e}") from e
            return
        with self._lend() as conn:
            conn.execute("BEGIN")
            try:
                yield conn
            finally:
                conn.execute("COMMIT")

    # lifecycle ---------------------------------------------------------------------
    def init(self, default_movements: Iterable[Record] = ()) -> None:
        defaults = [dict(m) for m in default_movements]

        def work() -> None:
            apply_migrations(conn)
            known = {row[0] for row in conn.execute("SELECT id FROM movements")}
            added = [m for m in defaults if m["id"] not in known]
            if added:
                conn.executemany("INSERT INTO movements (id, name, color) VALUES (:id, :name, :color)", added)
                append_audit(conn, change_entries("movement", added, {}, lambda m: m["id"]), current_actor(), now_iso())
                conn.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'version'")

        with self._write_lock:
            conn = self._writer_connection(create=True)
            self._transaction(conn, work, "set up")

    def _require_schema(self, conn: sqlite3.Connection) -> None:
        row = conn.execute("SELECT name FROM sqlite_master WHERE type='table' AND name='organizations'").fetchone()
        if row is None:
            raise StoreError(f"{self.path} holds no map yet: run `coalition init` first")

    def close(self) -> None:
        for conn in self._all_connections:
            conn.close()
        self._all_connections.clear()
        self._idle_readers.clear()
        self._writer = None

    def checkpoint(self) -> None:
        """Fold the write-ahead log into the file and empty it."""
        with self._write_lock:
            try:
                self._writer_connection().execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            except DATABASE_ERRORS as e:
                raise StoreError(f"cannot write to {self.path}: {e}") from e

    def version(self) -> int:
        with self._read() as conn:
            self._require_schema(conn)
            return store_version(conn)

    def describe(self) -> str:
        return f"SQLite file {self.path.resolve()}{' (encrypted)' if self.encrypted else ''}"

    # writes ------------------------------------------------------------------------
    def write_map(
        self,
        movements: Sequence[Record] = (),
        organizations: Sequence[Record] = (),
        ties: Sequence[Record] = (),
        introductions: Sequence[Record] = (),
        *,
        actor: str | None = None,
        expected_versions: ExpectedVersions | None = None,
    ) -> None:
        now = now_iso()
        with self._write(actor) as (conn, log):
            write_records(conn, log, now, movements, organizations, ties, introductions, expected_versions)

    def delete_organization(self, org_id: str, *, actor: str | None = None) -> int:
        with self._write(actor) as (conn, log):
            org = get_organization_row(conn, org_id)
            if org is None:
                return 0
            ties = [dict(r) for r in conn.execute("SELECT * FROM ties WHERE source = ? OR target = ?", (org_id,) * 2)]
            intros = introductions_where(conn, "a = ? OR b = ?", (org_id, org_id))
            brokered = introductions_where(conn, "broker = ? AND a != ? AND b != ?", (org_id,) * 3)
            conn.execute("DELETE FROM organizations WHERE id = ?", (org_id,))
            log.extend(delete_entry("tie", tie_key(t), t) for t in ties)
            log.extend(delete_entry("introduction", (i["a"], i["b"]), i) for i in intros)
            unbrokered = [{**i, "broker": None} for i in brokered]
            log.extend(change_entries("introduction", unbrokered, {intro_key(i): i for i in brokered}, intro_key))
            log.append(delete_entry("organization", org_id, org))
            return len(ties)

    def delete_tie(self, source: str, target: str, kind: str | None = None, *, actor: str | None = None) -> int:
        where = "((source = ? AND target = ?) OR (source = ? AND target = ?)) AND (? IS NULL OR kind = ?)"
        params = (source, target, target, source, kind, kind)
        with self._write(actor) as (conn, log):
            ties = [dict(r) for r in conn.execute(f"SELECT * FROM ties WHERE {where}", params)]  # noqa: S608
            conn.execute(f"DELETE FROM ties WHERE {where}", params)  # noqa: S608 (fixed text)
            log.extend(delete_entry("tie", tie_key(t), t) for t in ties)
            return len(ties)

    def clear(self, *, actor: str | None = None) -> None:
        with self._write(actor) as (conn, log):
            counts = count_records(conn)
            for table in MAP_TABLES:
                conn.execute(f"DELETE FROM {table}")  # noqa: S608 (fixed names)
            log.append({"action": "clear", "kind": "map", "key": "*", "before": counts, "after": None})

    def replace_all(self, content: Mapping[str, Any], *, actor: str | None = None) -> None:
        now = now_iso()
        with self._write(actor) as (conn, log):
            trail = [audit_record(row) for row in conn.execute("SELECT * FROM audit ORDER BY seq")]
            before = {**count_records(conn), "audit": len(trail)}
            for table in MAP_TABLES:
                conn.execute(f"DELETE FROM {table}")  # noqa: S608 (fixed names)
            kinds = ("movements", "organizations", "ties", "introductions")
            write_records(conn, [], now, *(content.get(kind) or () for kind in kinds), None)
            last = max((e["seq"] for e in trail), default=0)
            history = restored_history(trail, content.get("audit") or (), last)
            conn.executemany(
                "INSERT INTO audit (seq, at, actor, action, kind, key, before, after) "
                "VALUES (:seq, :at, :actor, :action, :kind, :key, :before, :after)",
                history,
            )
            after = {**count_records(conn), "audit": len(trail) + len(history)}
            log.append({"action": "restore", "kind": "map", "key": "*", "before": before, "after": after})

    # side records: survey rounds, meeting snapshots -------------------------------
    def write_side_records(self, records: Sequence[Record], *, actor: str | None = None) -> None:
        with self._write(actor) as (conn, log):
            kinds = {r["kind"] for r in records}  # only the kinds written: not every survey link
            existing = {side_key(r): r for kind in kinds for r in _side_rows(conn, kind, None)}
            log.extend(side_entries(records, existing))
            conn.executemany(
                "INSERT OR REPLACE INTO side_records (kind, round, org, body) VALUES (?, ?, ?, ?)",
                [(*side_key(r), audit_json(r["body"])) for r in records],
            )

    def side_records(self, kind: str, round_id: str | None = None) -> list[Record]:
        with self._read() as conn:
            self._require_schema(conn)
            if "0003_side_records" in pending_migrations(conn):
                return []
            return _side_rows(conn, kind, round_id)

    # reads -------------------------------------------------------------------------
    def get_organization(self, org_id: str) -> Record | None:
        with self._read() as conn:
            self._require_schema(conn)
            return get_organization_row(conn, org_id)

    def get_tie(self, source: str, target: str, kind: str) -> Record | None:
        with self._read() as conn:
            self._require_schema(conn)
            row = conn.execute(
                "SELECT * FROM ties WHERE source = ? AND target = ? AND kind = ?", (source, target, kind)
            ).fetchone()
            return dict(row) if row else None

    def snapshot(self) -> MapSnapshot:
        with self._read() as conn:
            self._require_schema(conn)
            return read_map(conn)

    def counts(self) -> dict[str, int]:
        with self._read() as conn:
            self._require_schema(conn)
            return count_records(conn)

    def audit(
        self,
        limit: int | None = 100,
        since: str | None = None,
        kind: str | None = None,
        key: str | None = None,
        after_seq: int | None = None,
    ) -> list[Record]:
        with self._read() as conn:
            self._require_schema(conn)
            if "0002_audit" in pending_migrations(conn):
                return []
            rows = conn.execute(
                "SELECT * FROM audit WHERE (:since IS NULL OR at >= :since) AND (:kind IS NULL OR kind = :kind) "
                "AND (:key IS NULL OR key = :key) AND (:after IS NULL OR seq > :after) ORDER BY seq DESC LIMIT :limit",
                {"since": since, "kind": kind, "key": key, "after": after_seq, "limit": -1 if limit is None else limit},
            )
            return [audit_record(row) for row in rows]

    def dump(self) -> MapSnapshot:
        with self._read() as conn:
            self._require_schema(conn)
            return read_content(conn)

    def check(self) -> list[str]:
        with self._read() as conn:
            return storage_problems(conn)

    # backups -----------------------------------------------------------------------
    def backup_image(self) -> tuple[str, bytes]:
        """The whole file, copied with SQLite's online backup API in one step, so the
        copy is one committed state even while others write (opens as a map itself).
        An encrypted map gives the JSON document instead (read in one transaction): a
        plain file image of it would only exist to be encrypted again."""
        if self.encrypted:
            return super().backup_image()
        with self._lend() as conn:
            self._require_schema(conn)
            return "sqlite", image_of(conn)


def _side_rows(conn: sqlite3.Connection, kind: str | None, round_id: str | None) -> list[Record]:
    rows = conn.execute(
        "SELECT kind, round, org, body FROM side_records WHERE (:kind IS NULL OR kind = :kind) "
        "AND (:round IS NULL OR round = :round) ORDER BY kind, round, org",
        {"kind": kind, "round": round_id},
    )
    return [{"kind": k, "round": r, "org": o, "body": json.loads(body)} for k, r, o, body in rows]


def _create_private(path: Path) -> None:
    """Create the map file readable by its owner only: SQLite gives the -wal and -shm files
    the mode of the database file, so they are private too."""
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        pass
    except OSError as e:
        raise StoreUnavailable(f"cannot create {path}: {e.strerror or e}") from e


def _make_private(path: Path) -> None:
    """Take group and other permissions off a map file (and its -wal and -shm) that this
    user owns, e.g. one made by an older version with the default mode."""
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            info = file.stat()
            if info.st_uid == os.getuid() and info.st_mode & 0o077:
                file.chmod(info.st_mode & 0o700)
        except OSError:
            continue  # absent, or on a file system without modes (a USB stick): still opens
