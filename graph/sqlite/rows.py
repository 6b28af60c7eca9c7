"""Records as SQLite rows and back: upserts that log what they change, consistent
reads of a whole map, and the audit trail's rows. Used by ``graph.sqlite.store`` inside its
transactions, and by backups to read a copy opened in memory.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from itertools import groupby
from operator import itemgetter
from typing import Any

from graph.records import (
    INTRO_FIELDS,
    ORG_FIELDS,
    ORG_LIST_FIELDS,
    TIE_FIELDS,
    normalize_introduction,
    normalize_organization,
    normalize_tie,
)
from graph.sqlite.schema import pending_migrations
from graph.store import (
    ExpectedVersions,
    MapSnapshot,
    Record,
    audit_json,
    change_entries,
    check_expected,
    former_names,
    plan_upserts,
)

__all__ = [
    "append_audit",
    "audit_record",
    "count_records",
    "get_organization_row",
    "intro_key",
    "introductions_where",
    "read_content",
    "read_map",
    "store_version",
    "tie_key",
    "write_records",
]

#: SQLite allows 32766 host parameters; stay far below it.
CHUNK = 500
#: List fields as the columns hold them (``json.dumps`` text, one encoder for all).
_LIST_JSON = json.JSONEncoder(ensure_ascii=False).encode
#: Organization fields kept as 0/1.
_BOOLEAN_FIELDS = ("community_led", "consent_to_introductions")


def read_content(conn: sqlite3.Connection) -> MapSnapshot:
    """The whole private map and its audit trail (oldest first) from a SQLite connection,
    e.g. one to a backup opened in memory."""
    content = read_map(conn)
    has_audit = "0002_audit" not in pending_migrations(conn)
    rows = conn.execute("SELECT * FROM audit ORDER BY seq") if has_audit else []
    content["audit"] = [audit_record(row) for row in rows]
    return content


# writing records ---------------------------------------------------------------------
def write_records(
    conn: sqlite3.Connection,
    log: list[Record],
    now: str,
    movements: Sequence[Record],
    organizations: Sequence[Record],
    ties: Sequence[Record],
    introductions: Sequence[Record],
    expected: ExpectedVersions | None,
) -> None:
    _upsert_movements(conn, log, movements)
    _upsert_organizations(conn, log, organizations, now, expected)
    _upsert_ties(conn, log, ties, now, expected)
    _upsert_introductions(conn, log, introductions, now)


def _upsert_movements(conn: sqlite3.Connection, log: list[Record], movements: Sequence[Record]) -> None:
    if not movements:
        return
    incoming = [{"id": m["id"], "name": m["name"], "color": m["color"]} for m in movements]
    existing = {row["id"]: dict(row) for row in conn.execute("SELECT id, name, color FROM movements")}
    latest = {m["id"]: m for m in incoming}
    rows = [m for m in latest.values() if existing.get(m["id"]) != m]
    conn.executemany(
        "INSERT INTO movements (id, name, color) VALUES (:id, :name, :color) "
        "ON CONFLICT (id) DO UPDATE SET name = excluded.name, color = excluded.color",
        rows,
    )
    log.extend(change_entries("movement", rows, existing, lambda m: m["id"]))


def _upsert_organizations(
    conn: sqlite3.Connection, log: list[Record], organizations: Sequence[Record], now: str, expected: Any
) -> None:
    if not organizations:
        check_expected("organization", expected, {}, set())
        return
    incoming = [normalize_organization(o) for o in organizations]
    ids = [o["id"] for o in incoming]
    stored = _existing(conn, "organizations", "id = ?", [(i,) for i in ids])
    movements_of = _movements_of(conn, [key[0] for key in stored])
    existing = {key[0]: _org_record(row, movements_of.get(key[0], [])) for key, row in stored.items()}
    check_expected("organization", expected, existing, set(ids))
    rows = plan_upserts(incoming, existing, key=lambda o: o["id"], now=now)
    columns = ", ".join(ORG_FIELDS)
    values = ", ".join("?" * len(ORG_FIELDS))
    updates = ", ".join(f"{f} = excluded.{f}" for f in ORG_FIELDS if f != "id")
    table = _org_rows(rows)
    last = _last_rowid(conn, "organizations")
    # in key order: each insert lands beside the last in the table's b-trees
    conn.executemany(
        f"INSERT INTO organizations ({columns}) VALUES ({values}) ON CONFLICT (id) DO UPDATE SET {updates}",  # noqa: S608
        sorted(table, key=itemgetter(0)),
    )
    conn.executemany(
        "DELETE FROM org_movements WHERE org_id = ?", [(row["id"],) for row in rows if row["id"] in existing]
    )
    conn.executemany(
        "INSERT INTO org_movements (org_id, movement_id, position) VALUES (?, ?, ?)",
        sorted((row["id"], m, i) for row in rows for i, m in enumerate(row["movements"])),
    )
    if not existing and _stored_as_given("organization", rows, table, last):
        log.append(_created_since("organization", last))
    else:
        log.extend(change_entries("organization", rows, existing, lambda o: o["id"]))


def _upsert_ties(conn: sqlite3.Connection, log: list[Record], ties: Sequence[Record], now: str, expected: Any) -> None:
    if not ties:
        check_expected("tie", expected, {}, set())
        return
    incoming = [normalize_tie(t) for t in ties]
    keys = list(map(_TIE_KEY, incoming))
    existing = _existing(conn, "ties", "(source = ? AND target = ? AND kind = ?)", keys)
    check_expected("tie", expected, existing, set(keys) if expected else set())
    rows = plan_upserts(incoming, existing, key=tie_key, now=now)
    columns = ", ".join(TIE_FIELDS)
    values = ", ".join("?" * len(TIE_FIELDS))
    updates = ", ".join(f"{f} = excluded.{f}" for f in TIE_FIELDS[3:])
    table = list(map(itemgetter(*TIE_FIELDS), rows))
    last = _last_rowid(conn, "ties")
    conn.executemany(
        f"INSERT INTO ties ({columns}) VALUES ({values}) "  # noqa: S608
        f"ON CONFLICT (source, target, kind) DO UPDATE SET {updates}",
        sorted(table, key=itemgetter(0)),  # by source: each insert lands beside the last, as organizations
    )
    if not existing and _stored_as_given("tie", rows, table, last):
        log.append(_created_since("tie", last))
    else:
        log.extend(change_entries("tie", rows, existing, tie_key))


def _upsert_introductions(
    conn: sqlite3.Connection, log: list[Record], introductions: Sequence[Record], now: str
) -> None:
    if not introductions:
        return
    incoming = [normalize_introduction(i) for i in introductions]
    stored = _existing(conn, "introductions", "(a = ? AND b = ?)", [intro_key(i) for i in incoming])
    existing = {key: _intro_record(row) for key, row in stored.items()}
    rows = plan_upserts(incoming, existing, key=intro_key, now=now, versioned=False)
    columns = ", ".join(INTRO_FIELDS)
    values = ", ".join(f":{f}" for f in INTRO_FIELDS)
    updates = ", ".join(f"{f} = excluded.{f}" for f in INTRO_FIELDS[2:] if f != "created_at")
    conn.executemany(
        f"INSERT INTO introductions ({columns}) VALUES ({values}) ON CONFLICT (a, b) DO UPDATE SET {updates}",  # noqa: S608
        [{**row, "reasons": json.dumps(row["reasons"], ensure_ascii=False)} for row in rows],
    )
    log.extend(change_entries("introduction", rows, existing, intro_key))


def append_audit(conn: sqlite3.Connection, log: list[Record], actor: str, at: str) -> None:
    """Insert the log's entries in its order. Runs of created organizations and ties (a
    whole import) have their ``after`` written as JSON by SQLite itself (``json_object``):
    encoding 250,000 records in Python took longer than inserting them. A write that only
    created records of a kind logs them as one ``_created_since`` entry, and their entries
    are made from the table's new rows in one statement, in the order they were inserted
    (organizations by id, ties by source), since binding the same values again row by row
    took three times as long."""
    for (action, kind, since), run in groupby(log, key=_run_of):
        entries = list(run)
        if since is not None:
            for entry in entries:
                conn.execute(_CREATED_SINCE_SQL[kind], {"at": at, "actor": actor, "last": entry[_SINCE]})
            continue
        fields = _CREATED_FIELDS.get(kind) if action == "create" else None
        afters = [e["after"] for e in entries]
        if fields is not None and _plain(afters, fields):
            values = map(itemgetter(*fields), afters)
            if kind == "organization":
                values = map(_json_lists, values)
            conn.executemany(
                _CREATED_SQL[kind], [(at, actor, e["key"], *row) for e, row in zip(entries, values, strict=True)]
            )
            continue
        conn.executemany(
            "INSERT INTO audit (at, actor, action, kind, key, before, after) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (at, actor, e["action"], e["kind"], e["key"], audit_json(e["before"]), audit_json(e["after"]))
                for e in entries
            ],
        )


#: The key of a log entry that stands for every row of its kind's table past a rowid.
_SINCE = "created_since_rowid"
#: Below this rowid SQLite numbers new rows one past the largest: past it, at random.
_LAST_SAFE_ROWID = 1 << 62


def _run_of(entry: Record) -> tuple:
    return entry["action"], entry["kind"], entry.get(_SINCE)


def _created_since(kind: str, last: int) -> Record:
    """The log entry of a write that created the rows of ``kind`` past rowid ``last``."""
    return {"action": "create", "kind": kind, "key": "*", "before": None, "after": None, _SINCE: last}


def _last_rowid(conn: sqlite3.Connection, table: str) -> int:
    return conn.execute(f"SELECT coalesce(max(rowid), 0) FROM {table}").fetchone()[0]  # noqa: S608 (fixed names)


#: The types SQLite stores exactly as given in each column (text in every other one).
_STORED_AS_GIVEN: dict[str, set[type]] = {
    **dict.fromkeys(("strength", "version", "intro_capacity_per_month", *_BOOLEAN_FIELDS), {int}),
    **dict.fromkeys(("since", "until", "confirmed"), {str, type(None)}),
}


def _stored_as_given(kind: str, rows: list[Record], table: list[tuple], last: int) -> bool:
    """True when the rows just inserted past rowid ``last`` read back as the records
    written: new rows are numbered after it, and each value is of the type its column
    keeps (a number in a text column would come back as text). Their audit entries can
    then be made from the table (``_created_since``)."""
    if not table or last >= _LAST_SAFE_ROWID:
        return False
    fields = ORG_FIELDS if kind == "organization" else TIE_FIELDS
    for name, column in zip(fields, zip(*table, strict=True), strict=True):
        if not set(map(type, column)) <= _STORED_AS_GIVEN.get(name, {str}):
            return False
    return kind != "organization" or all(type(m) is str for row in rows for m in row["movements"])


#: The fields of a created record, in order, by kind (as ``graph.records`` normalizes them).
_CREATED_FIELDS = {"organization": (*ORG_FIELDS, "movements"), "tie": TIE_FIELDS}
_LISTS = {i for i, f in enumerate(_CREATED_FIELDS["organization"]) if f in (*ORG_LIST_FIELDS, "movements")}


def _json_lists(values: tuple) -> tuple:
    """An organization's values with its lists as JSON text, for ``json(?)``."""
    return tuple(_LIST_JSON(v) if i in _LISTS else v for i, v in enumerate(values))


#: How SQLite writes each field into JSON: lists as JSON text, booleans as true/false.
_JSON_VALUES = {
    kind: ", ".join(
        f"'{f}', json(?)" if f in (*ORG_LIST_FIELDS, "movements")
        else f"'{f}', json(CASE WHEN ? THEN 'true' ELSE 'false' END)" if f in _BOOLEAN_FIELDS
        else f"'{f}', ?"
        for f in fields
    )
    for kind, fields in _CREATED_FIELDS.items()
}  # fmt: skip
_CREATED_SQL = {
    kind: "INSERT INTO audit (at, actor, action, kind, key, after) "  # noqa: S608 (fixed names)
    f"VALUES (?, ?, 'create', '{kind}', ?, json_object({_JSON_VALUES[kind]}))"
    for kind in _CREATED_FIELDS
}


#: How SQLite writes each column of a table's row into JSON for ``_created_since``.
_TABLE_JSON = {
    "organization": ", ".join(
        f"'{f}', json({f})" if f in ORG_LIST_FIELDS
        else f"'{f}', json(CASE WHEN {f} THEN 'true' ELSE 'false' END)" if f in _BOOLEAN_FIELDS
        else "'movements', (SELECT json_group_array(movement_id) FROM "
        "(SELECT movement_id FROM org_movements WHERE org_id = o.id ORDER BY position))" if f == "movements"
        else f"'{f}', {f}"
        for f in _CREATED_FIELDS["organization"]
    ),
    "tie": ", ".join(f"'{f}', {f}" for f in TIE_FIELDS),
}  # fmt: skip
_CREATED_SINCE_SQL = {
    "organization": "INSERT INTO audit (at, actor, action, kind, key, after) "  # noqa: S608 (fixed names)
    f"SELECT :at, :actor, 'create', 'organization', id, json_object({_TABLE_JSON['organization']}) "
    "FROM organizations o WHERE rowid > :last ORDER BY rowid",
    "tie": "INSERT INTO audit (at, actor, action, kind, key, after) "  # noqa: S608 (fixed names)
    f"SELECT :at, :actor, 'create', 'tie', source || '|' || target || '|' || kind, json_object({_TABLE_JSON['tie']}) "
    "FROM ties WHERE rowid > :last ORDER BY rowid",
}


def _plain(afters: list[Record], fields: tuple[str, ...]) -> bool:
    """True when every record holds exactly ``fields`` with values SQLite writes into JSON
    as Python's encoder does (text, whole numbers, null; lists of text and booleans
    where they belong)."""
    names = set(fields)
    if not all(after.keys() == names for after in afters):
        return False
    for f in fields:
        types = set(map(type, map(itemgetter(f), afters)))
        if f in ORG_LIST_FIELDS or f == "movements":
            if types != {list} or not all(type(item) is str for after in afters for item in after[f]):
                return False
        elif not types <= ({bool} if f in _BOOLEAN_FIELDS else {str, int, type(None)}):
            return False
    return True


# reading records ---------------------------------------------------------------------
def _existing(conn: sqlite3.Connection, table: str, where: str, keys: list[tuple]) -> dict[tuple, Record]:
    """Stored rows for the given keys, by key, read in chunks under the variable limit
    (none asked for when the table is empty, as it is for a first import)."""
    found: dict[tuple, Record] = {}
    if conn.execute(f"SELECT NOT EXISTS (SELECT 1 FROM {table})").fetchone()[0]:  # noqa: S608 (fixed names)
        return found
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start : start + CHUNK]
        clause = " OR ".join([where] * len(chunk))
        params = [value for key in chunk for value in key]
        for row in conn.execute(f"SELECT * FROM {table} WHERE {clause}", params):  # noqa: S608 (fixed names)
            record = dict(row)
            found[tuple(record[k] for k in _KEYS[table])] = record
    return found


def _movements_of(conn: sqlite3.Connection, org_ids: list[str]) -> dict[str, list[str]]:
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


def get_organization_row(conn: sqlite3.Connection, org_id: str) -> Record | None:
    row = conn.execute("SELECT * FROM organizations WHERE id = ?", (org_id,)).fetchone()
    if row is None:
        return None
    return _org_record(dict(row), _movements_of(conn, [org_id]).get(org_id, []))


def introductions_where(conn: sqlite3.Connection, where: str, params: tuple) -> list[Record]:
    return [_intro_record(dict(r)) for r in conn.execute(f"SELECT * FROM introductions WHERE {where}", params)]  # noqa: S608


def read_map(conn: sqlite3.Connection) -> MapSnapshot:
    """The whole map, inside the caller's read transaction."""
    movements = [dict(r) for r in conn.execute("SELECT id, name, color FROM movements ORDER BY id")]
    memberships: dict[str, list[str]] = {}
    for org_id, movement_id in conn.execute("SELECT org_id, movement_id FROM org_movements ORDER BY org_id, position"):
        memberships.setdefault(org_id, []).append(movement_id)
    organizations = [
        _org_record(dict(r), memberships.get(r["id"], []))
        for r in conn.execute("SELECT * FROM organizations ORDER BY id")
    ]
    ties = [dict(r) for r in conn.execute("SELECT * FROM ties ORDER BY source, target, kind")]
    introductions = [_intro_record(dict(r)) for r in conn.execute("SELECT * FROM introductions ORDER BY a, b")]
    renames = (
        conn.execute(
            "SELECT key, before FROM audit WHERE kind = 'organization' AND action = 'update' "
            "AND before LIKE '%\"name\":%' ORDER BY seq"
        )
        if "0002_audit" not in pending_migrations(conn)
        else []
    )
    return MapSnapshot(
        movements=movements,
        organizations=organizations,
        ties=ties,
        introductions=introductions,
        version=store_version(conn),
        former_names=former_names(renames),
    )


def store_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT value FROM meta WHERE key='version'").fetchone()[0])


def count_records(conn: sqlite3.Connection) -> dict[str, int]:
    return {
        table: conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]  # noqa: S608 (fixed names)
        for table in ("movements", "organizations", "ties", "introductions")
    }


_KEYS = {"organizations": ("id",), "ties": ("source", "target", "kind"), "introductions": ("a", "b")}


_TIE_KEY = itemgetter("source", "target", "kind")


def tie_key(tie: Record) -> tuple[str, str, str]:
    return (tie["source"], tie["target"], tie["kind"])


def intro_key(intro: Record) -> tuple[str, str]:
    return (intro["a"], intro["b"])


def _org_rows(orgs: list[Record]) -> list[tuple]:
    """Organization records as SQLite rows in ``ORG_FIELDS`` order: lists as JSON text
    (each distinct list encoded once), booleans as 0/1. Made a column at a time."""
    if not orgs:
        return []
    columns = [list(column) for column in zip(*map(itemgetter(*ORG_FIELDS), orgs), strict=True)]
    for i, name in enumerate(ORG_FIELDS):
        if name in ORG_LIST_FIELDS:
            columns[i] = _list_texts(columns[i])
        elif name in _BOOLEAN_FIELDS:
            columns[i] = list(map(int, map(bool, columns[i])))
    return list(zip(*columns, strict=True))


def _list_texts(lists: list[list]) -> list[str]:
    """Each list as JSON text; lists of text share one encoding per distinct list (other
    items are encoded one list at a time: 1 and True would make one key)."""
    keys = list(map(tuple, lists))
    try:
        distinct = set(keys)
    except TypeError:  # an item that is no text: encoded as it is
        return list(map(_LIST_JSON, lists))
    if not all(type(item) is str for key in distinct for item in key):
        return list(map(_LIST_JSON, lists))
    texts = {key: _LIST_JSON(list(key)) for key in distinct}
    return list(map(texts.__getitem__, keys))


def _org_record(row: Record, movements: list[str]) -> Record:
    for field in ORG_LIST_FIELDS:
        row[field] = json.loads(row[field])
    for field in ("community_led", "consent_to_introductions"):
        row[field] = bool(row[field])
    row["movements"] = movements
    return row


def _intro_record(row: Record) -> Record:
    row["reasons"] = json.loads(row["reasons"])
    return row


def audit_record(row: sqlite3.Row) -> Record:
    record = dict(row)
    for field in ("before", "after"):
        record[field] = None if record[field] is None else json.loads(record[field])
    return record
