"""The SQLite schema: named migrations, applied once each and recorded in
``schema_migrations`` (the sqlite-utils way), and the integrity checks that go with it.

A migration is never edited once released: a change to the schema is a new migration.
"""

from __future__ import annotations

import sqlite3

from graph.store import now_iso

__all__ = ["MIGRATIONS", "CHECKS", "apply_migrations", "pending_migrations", "storage_problems"]

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
    (
        "0002_audit",
        """
        CREATE TABLE audit (
            seq INTEGER PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
            kind TEXT NOT NULL, key TEXT NOT NULL, before TEXT, after TEXT
        );
        CREATE INDEX audit_record ON audit (kind, key);
        """,
    ),
    (
        "0003_side_records",
        """
        CREATE TABLE side_records (
            kind TEXT NOT NULL, round TEXT NOT NULL, org TEXT NOT NULL, body TEXT NOT NULL,
            PRIMARY KEY (kind, round, org)
        );
        """,
    ),
    (
        "0004_tie_freshness",
        """
        ALTER TABLE ties ADD COLUMN provenance TEXT NOT NULL DEFAULT '';
        ALTER TABLE ties ADD COLUMN confirmed TEXT;
        """,
    ),
]

#: Checks (visibilities as in ``graph.store.VISIBILITIES``) that the foreign keys and the models cannot express, or that a file edited by
#: other tools may break: each query returns one ``problem`` sentence per row.
CHECKS: list[str] = [
    """SELECT 'tie ' || t.source || ' -> ' || t.target || ' (' || t.kind || ') points at a missing organization'
       FROM ties t LEFT JOIN organizations s ON s.id = t.source LEFT JOIN organizations o ON o.id = t.target
       WHERE s.id IS NULL OR o.id IS NULL""",
    """SELECT 'organization ' || o.id || ' belongs to no movement' FROM organizations o
       WHERE NOT EXISTS (SELECT 1 FROM org_movements m WHERE m.org_id = o.id)""",
    """SELECT 'organization ' || m.org_id || ' names an unknown movement ' || m.movement_id
       FROM org_movements m LEFT JOIN movements v ON v.id = m.movement_id WHERE v.id IS NULL""",
    """SELECT 'a movement membership points at a missing organization ' || m.org_id
       FROM org_movements m LEFT JOIN organizations o ON o.id = m.org_id WHERE o.id IS NULL""",
    """SELECT 'introduction ' || i.a || ' / ' || i.b || ' points at a missing organization'
       FROM introductions i LEFT JOIN organizations x ON x.id = i.a LEFT JOIN organizations y ON y.id = i.b
       WHERE x.id IS NULL OR y.id IS NULL""",
    """SELECT 'introduction ' || i.a || ' / ' || i.b || ' names a missing broker ' || i.broker
       FROM introductions i LEFT JOIN organizations b ON b.id = i.broker
       WHERE i.broker IS NOT NULL AND b.id IS NULL""",
    """SELECT 'introduction ' || a || ' / ' || b || ' is not in order (a must sort before b)'
       FROM introductions WHERE a >= b""",
    """SELECT 'organization ' || id || ' has an unknown visibility ' || quote(visibility) || ' or '
       || quote(contact_visibility) FROM organizations
       WHERE visibility NOT IN ('public', 'coalition', 'private')
          OR contact_visibility NOT IN ('public', 'coalition', 'private')""",
    """SELECT 'tie ' || source || ' -> ' || target || ' (' || kind || ') has an unknown visibility '
       || quote(visibility) FROM ties WHERE visibility NOT IN ('public', 'coalition', 'private')""",
    """SELECT 'organization ' || id || ' has version ' || quote(version) FROM organizations
       WHERE typeof(version) != 'integer' OR version < 1""",
    """SELECT 'tie ' || source || ' -> ' || target || ' (' || kind || ') has version ' || quote(version)
       FROM ties WHERE typeof(version) != 'integer' OR version < 1""",
    """SELECT 'organization ' || id || ' has a list field that is not a JSON list' FROM organizations
       WHERE NOT (json_valid(languages) AND json_type(languages) = 'array' AND json_valid(issues)
                  AND json_type(issues) = 'array' AND json_valid(offers) AND json_type(offers) = 'array'
                  AND json_valid(needs) AND json_type(needs) = 'array')""",
    """SELECT 'the store version is missing or not a number' WHERE NOT EXISTS
       (SELECT 1 FROM meta WHERE key = 'version' AND CAST(value AS INTEGER) || '' = value)""",
]
#: Checks that need the audit table (migration 0002).
AUDIT_CHECKS: list[str] = [
    """SELECT 'audit entry ' || seq || ' has a before or after that is not JSON' FROM audit
       WHERE (before IS NOT NULL AND NOT json_valid(before)) OR (after IS NOT NULL AND NOT json_valid(after))""",
]
_CHECKED_TABLES = {"ties", "org_movements", "introductions"}
#: At most this many problems of one check are listed.
PER_CHECK = 50


def pending_migrations(conn: sqlite3.Connection) -> list[str]:
    """Names of migrations not applied yet (all of them on a file without a map)."""
    has_table = conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='schema_migrations'").fetchone()
    done = {row[0] for row in conn.execute("SELECT name FROM schema_migrations")} if has_table else set()
    return [name for name, _ in MIGRATIONS if name not in done]


def apply_migrations(conn: sqlite3.Connection) -> list[str]:
    """Apply the pending migrations on ``conn``, inside the caller's transaction."""
    conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    pending = pending_migrations(conn)
    for name, sql in MIGRATIONS:
        if name in pending:
            for statement in sql.split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute("INSERT INTO schema_migrations VALUES (?, ?)", (name, now_iso()))
    return pending


def storage_problems(conn: sqlite3.Connection) -> list[str]:
    """What SQLite itself and the checks above find wrong, one sentence each."""
    problems = [
        f"SQLite integrity check: {row[0]}" for row in conn.execute("PRAGMA integrity_check(100)") if row[0] != "ok"
    ]
    pending = pending_migrations(conn)
    if pending:
        problems.append(f"migrations not applied: {', '.join(pending)} (run `coalition init` to upgrade)")
    if "0001_initial" in pending:
        return problems
    for table, rowid, parent, _ in conn.execute("PRAGMA foreign_key_check").fetchmany(PER_CHECK):
        if table not in _CHECKED_TABLES:  # those get a clearer sentence below
            problems.append(f"row {rowid} of {table} points at a missing row of {parent}")
    for query in CHECKS + (AUDIT_CHECKS if "0002_audit" not in pending else []):
        problems.extend(row[0] for row in conn.execute(query).fetchmany(PER_CHECK))
    return problems
