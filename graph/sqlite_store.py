"""The embedded store: one SQLite file, no server.

Done the way sqlite-utils and datasette do it: WAL so readers never wait for the
writer, foreign keys on, one writer connection behind a lock, one read connection per
thread, every write in ``BEGIN IMMEDIATE ... COMMIT`` (a failure rolls the whole write
back), and named migrations recorded in a table so older files upgrade in place.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from graph.errors import StoreError, StoreUnavailable
from graph.records import (
    INTRO_FIELDS,
    ORG_FIELDS,
    ORG_LIST_FIELDS,
    TIE_FIELDS,
    normalize_introduction,
    normalize_organization,
    normalize_tie,
)
from graph.store import MapSnapshot, Record, Store, now_iso, plan_upserts, visible_levels

__all__ = ["SQLiteStore", "MIGRATIONS"]

#: Named migrations, applied in order once each and recorded in ``schema_migrations``.
MIGRATIONS: list[tuple[str, str]] = [
    (
        "0001_initial",
        """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        INSERT INTO meta (key, value) VALUES ('version', '0');
        CREATE TABLE movements (
            id TEXT PRIMARY KEY, name TEXT NOT NULL, color TEXT NOT NULL
        );
        CREATE TABLE organizations (
            id TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL,
            community_led INTEGER NOT NULL, region TEXT NOT NULL,
            languages TEXT NOT NULL, issues TEXT NOT NULL, offers TEXT NOT NULL,
            needs TEXT NOT NULL, access TEXT NOT NULL, contact TEXT NOT NULL,
            contact_visibility TEXT NOT NULL, visibility TEXT NOT NULL,
            consent_to_introductions INTEGER NOT NULL,
            intro_capacity_per_month INTEGER NOT NULL, notes TEXT NOT NULL,
            created_at TEXT NOT NULL, updated_at TEXT NOT NULL, version INTEGER NOT NULL
        );
        CREATE INDEX organizations_visibility ON organizations (visibility);
        CREATE TABLE org_movements (
            org_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
            movement_id TEXT NOT NULL REFERENCES movements (id),
            position INTEGER NOT NULL,
            PRIMARY KEY (org_id, movement_id)
        );
        CREATE INDEX org_movements_movement ON org_movements (movement_id);
        CREATE TABLE ties (
            source TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
            target TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
            kind TEXT NOT NULL, strength INTEGER NOT NULL,
            since TEXT, until TEXT, visibility TEXT NOT NULL, notes TEXT NOT NULL,
            created_at TEXT NOT NULL, updated_at TEXT NOT NULL, version INTEGER NOT NULL,
            PRIMARY KEY (source, target, kind)
        );
        CREATE INDEX ties_target ON ties (target);
        CREATE TABLE introductions (
            a TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
            b TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
            broker TEXT REFERENCES organizations (id) ON DELETE SET NULL,
            score REAL, reasons TEXT NOT NULL, status TEXT NOT NULL,
            status_date TEXT, note TEXT NOT NULL,
            created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
            PRIMARY KEY (a, b)
        );
        """,
    ),
]

#: SQLite allows 32766 host parameters; stay far below it.
CHUNK = 500


class SQLiteStore(Store):
    """A map in one SQLite file."""

    def __init__(self, path: str | Path, url: str | None = None) -> None:
        self.path = Path(path)
        self.url = url or f"sqlite:///{self.path}"
        self._write_lock = threading.RLock()
        self._local = threading.local()
        self._writer: sqlite3.Connection | None = None
        self._all_connections: list[sqlite3.Connection] = []

    # connections -------------------------------------------------------------------
    def _connect(self, create: bool = False) -> sqlite3.Connection:
        if not self.path.parent.exists():
            raise StoreUnavailable(f"cannot open {self.path}: folder {self.path.parent} does not exist")
        if not create and not self.path.exists():
            raise StoreUnavailable(f"no map at {self.path}: run `coalition init` (or `coalition demo`) first")
        try:
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA synchronous = NORMAL")
        except sqlite3.DatabaseError as e:
            raise StoreError(f"cannot open {self.path} as a SQLite map: {e}") from e
        conn.row_factory = sqlite3.Row
        self._all_connections.append(conn)
        return conn

    @property
    def _reader(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self._connect()
        return conn

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: committed when the block ends, rolled back on error."""
        with self._write_lock:
            if self._writer is None:
                self._writer = self._connect()
            conn = self._writer
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'version'")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        """A consistent read: every select in the block sees the same committed state."""
        conn = self._reader
        conn.execute("BEGIN")
        try:
            yield conn
        finally:
            conn.execute("COMMIT")

    # lifecycle ---------------------------------------------------------------------
    def init(self, default_movements: Iterable[Record] = ()) -> None:
        with self._write_lock:
            if self._writer is None:
                self._writer = self._connect(create=True)
            conn = self._writer
            try:
                conn.execute("BEGIN IMMEDIATE")
                conn.execute(
                    "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
                )
                done = {row[0] for row in conn.execute("SELECT name FROM schema_migrations")}
                for name, sql in MIGRATIONS:
                    if name not in done:
                        for statement in sql.split(";"):
                            if statement.strip():
                                conn.execute(statement)
                        conn.execute("INSERT INTO schema_migrations VALUES (?, ?)", (name, now_iso()))
                conn.executemany(
                    "INSERT OR IGNORE INTO movements (id, name, color) VALUES (:id, :name, :color)",
                    list(default_movements),
                )
                conn.execute("COMMIT")
            except sqlite3.DatabaseError as e:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise StoreError(f"cannot set up {self.path}: {e}") from e

    def _require_schema(self, conn: sqlite3.Connection) -> None:
        row = conn.execute("SELECT name FROM sqlite_master WHERE type='table' AND name='organizations'").fetchone()
        if row is None:
            raise StoreError(f"{self.path} holds no map yet: run `coalition init` first")

    def close(self) -> None:
        for conn in self._all_connections:
            conn.close()
        self._all_connections.clear()
        self._writer = None
        self._local = threading.local()

    def version(self) -> int:
        with self._read() as conn:
            self._require_schema(conn)
            return int(conn.execute("SELECT value FROM meta WHERE key='version'").fetchone()[0])

    def describe(self) -> str:
        return f"SQLite file {self.path.resolve()}"

    # writes ------------------------------------------------------------------------
    def write_map(
        self,
        movements: Sequence[Record] = (),
        organizations: Sequence[Record] = (),
        ties: Sequence[Record] = (),
        introductions: Sequence[Record] = (),
    ) -> None:
        now = now_iso()
        try:
            with self._write() as conn:
                self._require_schema(conn)
                conn.executemany(
                    "INSERT INTO movements (id, name, color) VALUES (:id, :name, :color) "
                    "ON CONFLICT (id) DO UPDATE SET name = excluded.name, color = excluded.color",
                    [dict(m) for m in movements],
                )
                self._upsert_organizations(conn, organizations, now)
                self._upsert_ties(conn, ties, now)
                self._upsert_introductions(conn, introductions, now)
        except sqlite3.IntegrityError as e:
            raise StoreError(f"the map was not changed: {e}") from e
        except sqlite3.DatabaseError as e:
            raise StoreError(f"cannot write to {self.path}: {e}") from e

    def _existing(self, conn: sqlite3.Connection, table: str, where: str, keys: list[tuple]) -> dict[tuple, Record]:
        """Stored rows for the given keys, by key, read in chunks under the variable limit."""
        found: dict[tuple, Record] = {}
        for start in range(0, len(keys), CHUNK):
            chunk = keys[start : start + CHUNK]
            clause = " OR ".join([where] * len(chunk))
            params = [value for key in chunk for value in key]
            for row in conn.execute(f"SELECT * FROM {table} WHERE {clause}", params):  # noqa: S608 (fixed names)
                record = dict(row)
                found[tuple(record[k] for k in _KEYS[table])] = record
        return found

    def _upsert_organizations(self, conn: sqlite3.Connection, organizations: Sequence[Record], now: str) -> None:
        if not organizations:
            return
        incoming = [normalize_organization(o) for o in organizations]
        ids = [o["id"] for o in incoming]
        stored = self._existing(conn, "organizations", "id = ?", [(i,) for i in ids])
        movements_of = self._movements_of(conn, ids)
        existing = {key[0]: _org_record(row, movements_of.get(key[0], [])) for key, row in stored.items()}
        rows = plan_upserts(incoming, existing, key=lambda o: o["id"], now=now)
        columns = ", ".join(ORG_FIELDS)
        values = ", ".join(f":{f}" for f in ORG_FIELDS)
        updates = ", ".join(f"{f} = excluded.{f}" for f in ORG_FIELDS if f != "id")
        conn.executemany(
            f"INSERT INTO organizations ({columns}) VALUES ({values}) ON CONFLICT (id) DO UPDATE SET {updates}",  # noqa: S608
            [_org_row(row) for row in rows],
        )
        conn.executemany("DELETE FROM org_movements WHERE org_id = ?", [(row["id"],) for row in rows])
        conn.executemany(
            "INSERT INTO org_movements (org_id, movement_id, position) VALUES (?, ?, ?)",
            [(row["id"], m, i) for row in rows for i, m in enumerate(row["movements"])],
        )

    def _upsert_ties(self, conn: sqlite3.Connection, ties: Sequence[Record], now: str) -> None:
        if not ties:
            return
        incoming = [normalize_tie(t) for t in ties]
        keys = [(t["source"], t["target"], t["kind"]) for t in incoming]
        existing = self._existing(conn, "ties", "(source = ? AND target = ? AND kind = ?)", keys)
        rows = plan_upserts(incoming, existing, key=lambda t: (t["source"], t["target"], t["kind"]), now=now)
        columns = ", ".join(TIE_FIELDS)
        values = ", ".join(f":{f}" for f in TIE_FIELDS)
        updates = ", ".join(f"{f} = excluded.{f}" for f in TIE_FIELDS[3:])
        conn.executemany(
            f"INSERT INTO ties ({columns}) VALUES ({values}) "  # noqa: S608
            f"ON CONFLICT (source, target, kind) DO UPDATE SET {updates}",
            rows,
        )

    def _upsert_introductions(self, conn: sqlite3.Connection, introductions: Sequence[Record], now: str) -> None:
        rows = []
        for intro in introductions:
            row = normalize_introduction(intro)
            row["reasons"] = json.dumps(row["reasons"], ensure_ascii=False)
            row["created_at"] = row["created_at"] or now
            row["updated_at"] = row["updated_at"] or now
            rows.append(row)
        columns = ", ".join(INTRO_FIELDS)
        values = ", ".join(f":{f}" for f in INTRO_FIELDS)
        updates = ", ".join(f"{f} = excluded.{f}" for f in INTRO_FIELDS[2:] if f != "created_at")
        conn.executemany(
            f"INSERT INTO introductions ({columns}) VALUES ({values}) ON CONFLICT (a, b) DO UPDATE SET {updates}",  # noqa: S608
            rows,
        )

    def _movements_of(self, conn: sqlite3.Connection, org_ids: list[str]) -> dict[str, list[str]]:
        result: dict[str, list[str]] = {}
        for start in range(0, len(org_ids), CHUNK):
            chunk = org_ids[start : start + CHUNK]
            marks = ", ".join("?" * len(chunk))
            for org_id, movement_id in conn.execute(
                f"SELECT org_id, movement_id FROM org_movements WHERE org_id IN ({marks}) "  # noqa: S608
                "ORDER BY org_id, position",
                chunk,
            ):
                result.setdefault(org_id, []).append(movement_id)
        return result

    def delete_organization(self, org_id: str) -> int:
        with self._write() as conn:
            self._require_schema(conn)
            removed = conn.execute("SELECT COUNT(*) FROM ties WHERE source = ? OR target = ?", (org_id, org_id))
            count = removed.fetchone()[0]
            conn.execute("DELETE FROM organizations WHERE id = ?", (org_id,))
            return count

    def delete_tie(self, source: str, target: str, kind: str | None = None) -> int:
        with self._write() as conn:
            self._require_schema(conn)
            cursor = conn.execute(
                "DELETE FROM ties WHERE ((source = ? AND target = ?) OR (source = ? AND target = ?)) "
                "AND (? IS NULL OR kind = ?)",
                (source, target, target, source, kind, kind),
            )
            return cursor.rowcount

    def clear(self) -> None:
        with self._write() as conn:
            self._require_schema(conn)
            for table in ("introductions", "ties", "org_movements", "organizations", "movements"):
                conn.execute(f"DELETE FROM {table}")  # noqa: S608 (fixed names)

    # reads -------------------------------------------------------------------------
    def get_organization(self, org_id: str) -> Record | None:
        with self._read() as conn:
            self._require_schema(conn)
            row = conn.execute("SELECT * FROM organizations WHERE id = ?", (org_id,)).fetchone()
            if row is None:
                return None
            return _org_record(dict(row), self._movements_of(conn, [org_id]).get(org_id, []))

    def snapshot(self, audience: str = "private") -> MapSnapshot:
        levels = visible_levels(audience)
        marks = ", ".join("?" * len(levels))
        with self._read() as conn:
            self._require_schema(conn)
            version = int(conn.execute("SELECT value FROM meta WHERE key='version'").fetchone()[0])
            movements = [dict(r) for r in conn.execute("SELECT id, name, color FROM movements ORDER BY id")]
            memberships: dict[str, list[str]] = {}
            for org_id, movement_id in conn.execute(
                "SELECT org_id, movement_id FROM org_movements ORDER BY org_id, position"
            ):
                memberships.setdefault(org_id, []).append(movement_id)
            organizations = [
                _org_record(dict(r), memberships.get(r["id"], []))
                for r in conn.execute(
                    f"SELECT * FROM organizations WHERE visibility IN ({marks}) ORDER BY id",  # noqa: S608
                    levels,
                )
            ]
            ties = [
                dict(r)
                for r in conn.execute(
                    f"""SELECT t.* FROM ties t
                        JOIN organizations s ON s.id = t.source AND s.visibility IN ({marks})
                        JOIN organizations o ON o.id = t.target AND o.visibility IN ({marks})
                        WHERE t.visibility IN ({marks})
                        ORDER BY t.source, t.target, t.kind""",  # noqa: S608
                    levels * 3,
                )
            ]
            introductions = []
            for r in conn.execute(
                f"""SELECT i.* FROM introductions i
                    JOIN organizations x ON x.id = i.a AND x.visibility IN ({marks})
                    JOIN organizations y ON y.id = i.b AND y.visibility IN ({marks})
                    ORDER BY i.a, i.b""",  # noqa: S608
                levels * 2,
            ):
                intro = dict(r)
                intro["reasons"] = json.loads(intro["reasons"])
                introductions.append(intro)
        return MapSnapshot(
            movements=movements, organizations=organizations, ties=ties, introductions=introductions, version=version
        )


_KEYS = {"organizations": ("id",), "ties": ("source", "target", "kind"), "introductions": ("a", "b")}


def _org_row(org: Record) -> Record:
    """An organization record as SQLite columns: lists as JSON text, booleans as 0/1."""
    row = {f: org.get(f) for f in ORG_FIELDS}
    for field in ORG_LIST_FIELDS:
        row[field] = json.dumps(row[field], ensure_ascii=False)
    for field in ("community_led", "consent_to_introductions"):
        row[field] = int(bool(row[field]))
    return row


def _org_record(row: Record, movements: list[str]) -> Record:
    for field in ORG_LIST_FIELDS:
        row[field] = json.loads(row[field])
    for field in ("community_led", "consent_to_introductions"):
        row[field] = bool(row[field])
    row["movements"] = movements
    return row
