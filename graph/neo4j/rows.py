"""Records as Neo4j parameters and back: batched upserts that log what they change, a
whole map read in one transaction, and audit entries. Used by ``graph.neo4j.store``
inside its transactions; all Cypher comes from ``graph.neo4j.queries``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from neo4j import ManagedTransaction

from graph.errors import StoreError
from graph.neo4j import queries as q
from graph.records import (
    INTRO_FIELDS,
    ORG_FIELDS,
    TIE_FIELDS,
    normalize_introduction,
    normalize_organization,
    normalize_tie,
)
from graph.store import (
    ExpectedVersions,
    MapSnapshot,
    Record,
    audit_fields,
    change_entries,
    check_expected,
    former_names,
    now_iso,
    plan_upserts,
)

__all__ = [
    "BATCH",
    "append_audit",
    "audit_record",
    "batches",
    "intro_key",
    "intro_record",
    "normalized",
    "org_params",
    "org_record",
    "read_map",
    "tie_key",
    "tie_params",
    "tie_record",
    "write_records",
]

#: Rows per ``UNWIND $rows`` statement; all batches of one write share a transaction.
BATCH = 5000


def normalized(
    movements: Sequence[Record],
    organizations: Sequence[Record],
    ties: Sequence[Record],
    introductions: Sequence[Record],
) -> tuple[list[Record], ...]:
    return (
        [{"id": m["id"], "name": m["name"], "color": m["color"]} for m in movements],
        [normalize_organization(o) for o in organizations],
        [normalize_tie(t) for t in ties],
        [normalize_introduction(i) for i in introductions],
    )


def write_records(
    tx: ManagedTransaction,
    log: list[Record],
    now: str,
    movements: list[Record],
    organizations: list[Record],
    ties: list[Record],
    introductions: list[Record],
    expected: ExpectedVersions | None,
) -> None:
    """Upsert normalized records inside a write transaction, logging what changed."""
    if movements:
        known = {r["id"]: dict(r) for r in tx.run(q.ALL_MOVEMENTS)}
        changed = [m for m in {m["id"]: m for m in movements}.values() if known.get(m["id"]) != m]
        for batch in batches(changed):
            tx.run(q.UPSERT_MOVEMENTS, rows=batch).consume()
        log.extend(change_entries("movement", changed, known, lambda m: m["id"]))
    _check_known(tx, q.MOVEMENT_IDS, {m for o in organizations for m in o["movements"]}, "movement")
    existing_orgs = _existing_organizations(tx, organizations)
    check_expected("organization", expected, existing_orgs, {o["id"] for o in organizations})
    org_rows = plan_upserts(organizations, existing_orgs, lambda o: o["id"], now)
    _write_split(
        tx, org_rows, lambda o: o["id"] in existing_orgs, q.CREATE_ORGANIZATIONS, q.UPDATE_ORGANIZATIONS, org_params
    )
    log.extend(change_entries("organization", org_rows, existing_orgs, lambda o: o["id"]))
    ends = {t[end] for t in ties for end in ("source", "target")}
    ends |= {i[end] for i in introductions for end in ("a", "b", "broker") if i[end]}
    _check_known(tx, q.ORGANIZATION_IDS, ends, "organization")
    existing_ties = _existing_ties(tx, ties)
    check_expected("tie", expected, existing_ties, {tie_key(t) for t in ties})
    tie_rows = plan_upserts(ties, existing_ties, tie_key, now)
    _write_split(tx, tie_rows, lambda t: tie_key(t) in existing_ties, q.CREATE_TIES, q.UPDATE_TIES, tie_params)
    log.extend(change_entries("tie", tie_rows, existing_ties, tie_key))
    if introductions:
        keys = [f"{a}|{b}" for a, b in map(intro_key, introductions)]
        existing_intros = {
            intro_key(i): i
            for batch in batches(keys)
            for i in (intro_record(r["intro"]) for r in tx.run(q.EXISTING_INTRODUCTIONS, keys=batch))
        }
        intro_rows = plan_upserts(introductions, existing_intros, intro_key, now, versioned=False)
        for batch in batches(intro_rows):
            tx.run(q.UPSERT_INTRODUCTIONS, rows=[_intro_params(i) for i in batch]).consume()
        log.extend(change_entries("introduction", intro_rows, existing_intros, intro_key))


def _check_known(tx: ManagedTransaction, query: str, ids: set[str], what: str) -> None:
    """Refuse the whole write when it names a movement or organization that is absent."""
    if not ids:
        return
    found = {r["id"] for batch in batches(sorted(ids)) for r in tx.run(query, ids=batch)}
    missing = sorted(ids - found)
    if missing:
        raise StoreError(f"the map was not changed: unknown {what} {missing[0]!r}")


def append_audit(tx: ManagedTransaction, log: list[Record], actor: str) -> None:
    """Write a transaction's audit entries, numbered after the last one."""
    if not log:
        return
    seq = tx.run(q.AUDIT_SEQ).single()["seq"]
    at = now_iso()
    rows = [audit_fields({**entry, "seq": seq + n, "at": at, "actor": actor}) for n, entry in enumerate(log, 1)]
    for batch in batches(rows):
        tx.run(q.CREATE_AUDIT_ENTRIES, rows=batch).consume()
    tx.run(q.SET_AUDIT_SEQ, seq=seq + len(log)).consume()


def read_map(tx: ManagedTransaction) -> MapSnapshot:
    """The whole map, inside the caller's transaction."""
    return MapSnapshot(
        movements=[dict(r) for r in tx.run(q.ALL_MOVEMENTS)],
        organizations=[org_record(r["org"], r["movements"]) for r in tx.run(q.ALL_ORGANIZATIONS)],
        ties=[tie_record(r) for r in tx.run(q.ALL_TIES)],
        introductions=[intro_record(r["intro"]) for r in tx.run(q.ALL_INTRODUCTIONS)],
        former_names=former_names((r["key"], r["before"]) for r in tx.run(q.RENAMES)),
        version=tx.run(q.READ_VERSION).single()["version"],
    )


def _write_split(
    tx: ManagedTransaction,
    rows: list[Record],
    exists: Callable[[Record], bool],
    create: str,
    update: str,
    params: Callable[[Record], dict[str, Any]],
) -> None:
    """Send new rows through ``create`` and changed ones through ``update``, in batches."""
    for statement, chosen in ((create, [r for r in rows if not exists(r)]), (update, [r for r in rows if exists(r)])):
        for batch in batches(chosen):
            tx.run(statement, rows=[params(r) for r in batch]).consume()


def batches(rows: Sequence[Any]) -> Iterable[list[Any]]:
    for start in range(0, len(rows), BATCH):
        yield list(rows[start : start + BATCH])


def _existing_organizations(tx: ManagedTransaction, orgs: list[Record]) -> dict[str, Record]:
    found = {}
    for batch in batches([o["id"] for o in orgs]):
        for r in tx.run(q.EXISTING_ORGANIZATIONS, ids=batch):
            record = org_record(r["org"], r["movements"])
            found[record["id"]] = record
    return found


def _existing_ties(tx: ManagedTransaction, ties: list[Record]) -> dict[tuple, Record]:
    found = {}
    keys = [{"source": t["source"], "target": t["target"], "kind": t["kind"]} for t in ties]
    for batch in batches(keys):
        for r in tx.run(q.EXISTING_TIES, keys=batch):
            record = tie_record(r)
            found[(record["source"], record["target"], record["kind"])] = record
    return found


def org_params(org: Record) -> dict[str, Any]:
    return {"id": org["id"], "movements": org["movements"], "props": {f: org[f] for f in ORG_FIELDS if f != "id"}}


def tie_params(tie: Record) -> dict[str, Any]:
    props = {f: tie[f] for f in TIE_FIELDS if f not in ("source", "target", "kind")}
    return {"source": tie["source"], "target": tie["target"], "kind": tie["kind"], "props": props}


def _intro_params(intro: Record) -> dict[str, Any]:
    return {"key": f"{intro['a']}|{intro['b']}", "props": {f: intro[f] for f in INTRO_FIELDS}}


def tie_key(tie: Record) -> tuple[str, str, str]:
    return (tie["source"], tie["target"], tie["kind"])


def intro_key(intro: Record) -> tuple[str, str]:
    return (intro["a"], intro["b"])


def audit_record(props: dict[str, Any]) -> Record:
    record = {f: props.get(f) for f in ("seq", "at", "actor", "action", "kind", "key")}
    for field in ("before", "after"):
        record[field] = None if props.get(field) is None else json.loads(props[field])
    return record


def org_record(props: dict[str, Any], movements: list[str]) -> Record:
    record = normalize_organization({**props, "movements": movements})
    return record


def tie_record(row: Any) -> Record:
    return normalize_tie({**row["tie"], "source": row["source"], "target": row["target"]})


def intro_record(props: dict[str, Any]) -> Record:
    return normalize_introduction(props)
