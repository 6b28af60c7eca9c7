"""Records as Neo4j parameters and back: batched upserts that log what they change
(staging the new records of a large write, see ``graph.neo4j.staging``), a whole map
read in pages inside one transaction, and audit entries. Used by ``graph.neo4j.store``
inside its transactions; all Cypher comes from ``graph.neo4j.queries``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
    from graph.neo4j.staging import Stager

__all__ = [
    "BATCH",
    "append_audit",
    "audit_record",
    "audit_trail",
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
    "write_audit_rows",
    "write_records",
]

#: Rows per ``UNWIND $rows`` statement, and per page of a read.
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
    stager: Stager,
) -> None:
    """Upsert normalized records inside a write transaction, logging what changed.

    When the write creates many organizations and ties, the new organizations and the
    ties among them are staged (``stager``) and switched over in ``tx``; everything else
    is written in ``tx``."""
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
    new_orgs = [o for o in org_rows if o["id"] not in existing_orgs]
    fresh = {o["id"] for o in new_orgs}  # no tie can touch them yet
    ends = {t[end] for t in ties for end in ("source", "target")}
    ends |= {i[end] for i in introductions for end in ("a", "b", "broker") if i[end]}
    _check_known(tx, q.ORGANIZATION_IDS, ends - fresh, "organization")
    existing_ties = _existing_ties(tx, [t for t in ties if t["source"] not in fresh and t["target"] not in fresh])
    check_expected("tie", expected, existing_ties, {tie_key(t) for t in ties})
    tie_rows = plan_upserts(ties, existing_ties, tie_key, now)
    if stager.wants(len(new_orgs) + len(tie_rows)):
        stager.organizations(new_orgs)
        among = [t for t in tie_rows if t["source"] in fresh and t["target"] in fresh]
        stager.ties(among)
        stager.switch_over(tx)
        staged = {tie_key(t) for t in among}
        rest = [t for t in tie_rows if tie_key(t) not in staged]
    else:
        _write_batches(tx, q.CREATE_ORGANIZATIONS, new_orgs, org_params)
        rest = tie_rows
    _write_batches(tx, q.UPDATE_ORGANIZATIONS, [o for o in org_rows if o["id"] in existing_orgs], org_params)
    log.extend(change_entries("organization", org_rows, existing_orgs, lambda o: o["id"]))
    _write_batches(tx, q.CREATE_TIES, [t for t in rest if tie_key(t) not in existing_ties], tie_params)
    _write_batches(tx, q.UPDATE_TIES, [t for t in rest if tie_key(t) in existing_ties], tie_params)
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


def append_audit(tx: ManagedTransaction, log: list[Record], actor: str, stager: Stager) -> None:
    """Write a transaction's audit entries, numbered after the last one; a long trail is
    staged, and becomes visible when ``tx`` moves the counter past it."""
    if not log:
        return
    seq = tx.run(q.AUDIT_SEQ).single()["seq"]
    at = now_iso()
    rows = [audit_fields({**entry, "seq": seq + n, "at": at, "actor": actor}) for n, entry in enumerate(log, 1)]
    write_audit_rows(tx, rows, stager)
    tx.run(q.SET_AUDIT_SEQ, seq=seq + len(log)).consume()


def write_audit_rows(tx: ManagedTransaction, rows: list[Record], stager: Stager) -> None:
    """Store numbered audit rows (``audit_fields``) past the counter: in ``tx``, or staged
    when there are many. Either way they count once ``tx`` moves the counter past them."""
    if stager.wants(len(rows)):
        stager.audit(rows)
        return
    for batch in batches(rows):
        tx.run(q.CREATE_AUDIT_ENTRIES, rows=batch).consume()


def read_map(tx: ManagedTransaction) -> MapSnapshot:
    """The whole map, inside the caller's transaction, in pages (``BATCH`` records each)."""
    organizations = [
        org_record(r["org"], r["movements"]) for r in _pages(tx, q.ORGANIZATIONS_AFTER, "", lambda r: r["org"]["id"])
    ]
    ids = [o["id"] for o in organizations]
    intros = [intro_record(r["intro"]) for r in _pages(tx, q.INTRODUCTIONS_AFTER, "", lambda r: r["intro"]["key"])]
    return MapSnapshot(
        movements=[dict(r) for r in tx.run(q.ALL_MOVEMENTS)],
        organizations=organizations,
        ties=[tie_record(r) for batch in batches(ids) for r in tx.run(q.TIES_FROM, ids=batch)],
        introductions=sorted(intros, key=intro_key),
        former_names=former_names((r["key"], r["before"]) for r in tx.run(q.RENAMES)),
        version=tx.run(q.READ_VERSION).single()["version"],
    )


def audit_trail(tx: ManagedTransaction) -> list[Record]:
    """Every visible audit entry, oldest first, in pages."""
    top = tx.run(q.AUDIT_SEQ).single()["seq"]
    return [audit_record(r["entry"]) for r in _pages(tx, q.AUDIT_AFTER, 0, lambda r: r["entry"]["seq"], top=top)]


def _pages(tx: ManagedTransaction, query: str, start: Any, last: Callable[[Any], Any], **params: Any) -> Iterator[Any]:
    """The rows of ``query`` page by page: each page starts ``$after`` the key (``last``)
    of the page before."""
    after = start
    while True:
        page = list(tx.run(query, after=after, limit=BATCH, **params))
        yield from page
        if len(page) < BATCH:
            return
        after = last(page[-1])


def _write_batches(
    tx: ManagedTransaction, statement: str, rows: list[Record], params: Callable[[Record], dict[str, Any]]
) -> None:
    for batch in batches(rows):
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
