"""The store interface every backend implements (SQLite embedded, Neo4j server).

A store keeps four kinds of records as plain dicts whose keys are the field names of
the domain models in ``coalition.domain.models``: movements, organizations, ties and
introductions. The domain validates records before they reach a store, so a backend
only has to persist them faithfully and answer reads; it never decides what a user may
see beyond filtering by visibility, which it does in the query itself so that hidden
records are never loaded for an audience that may not see them.

Keys:
    movement        ``id``
    organization    ``id``
    tie             ``(source, target, kind)``
    introduction    ``(a, b)`` with ``a < b``

Beside the map, a store keeps side records of the coalition's own process
(``write_side_records``): survey rounds, the private links sent to organizations (only a
hash of each token) and their answers waiting for review, and meeting snapshots, keyed by
``(kind, round, org)`` (a snapshot: its name as ``round``, ``org`` empty). Clearing or
restoring the map removes them with it: they speak of the map they were made for.

Every committed write also records what it changed in the store's audit trail, in the
same transaction: one entry per record created, changed or removed, with who (the
``actor``), when, and the values before and after. Entries hold whole records, contacts
included, so the trail is for admins only and never part of an audience's view.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from graph.errors import StaleEdit

__all__ = [
    "AUDIT_ACTIONS",
    "AUDIT_KINDS",
    "BOOKKEEPING",
    "ExpectedVersions",
    "MapSnapshot",
    "Record",
    "SIDE_KINDS",
    "Store",
    "VISIBILITIES",
    "acting_as",
    "audit_fields",
    "audit_json",
    "audit_key",
    "change_entries",
    "check_expected",
    "current_actor",
    "delete_entry",
    "now_iso",
    "former_names",
    "plan_upserts",
    "restored_history",
    "side_entries",
    "side_key",
    "visible_levels",
]

#: Fields that are bookkeeping, not content: a change in them alone is no edit.
BOOKKEEPING = ("created_at", "updated_at", "version")

Record = dict[str, Any]

#: Expected versions for a write: an organization id, or a tie's ``(source, target,
#: kind)``, mapped to the version the editor started from.
ExpectedVersions = Mapping[str | tuple[str, str, str], int]

#: What audit entries are about, and what happened.
AUDIT_KINDS = ("movement", "organization", "tie", "introduction", "map", "survey", "snapshot")
#: What side records are, and the audit kind of each: a survey round, a private link of
#: one organization, its answer; a meeting snapshot; one side's answer to an introduction
#: (or an admin's reason to mark one made without both).
SIDE_KINDS = {
    "round": "survey", "link": "survey", "answer": "survey", "snapshot": "snapshot", "consent": "introduction",
}  # fmt: skip
AUDIT_ACTIONS = ("create", "update", "delete", "clear", "restore")

_actor: ContextVar[str | None] = ContextVar("coalition_actor", default=None)


@contextmanager
def acting_as(actor: str) -> Iterator[None]:
    """Name who makes the writes in this block (this thread or task only).

    The CLI wraps a command in ``acting_as("cli:alice")``; the dashboard wraps a page run
    in the signed-in user's name. A write's explicit ``actor=`` wins over this.
    """
    token = _actor.set(actor)
    try:
        yield
    finally:
        _actor.reset(token)


def current_actor(actor: str | None = None) -> str:
    """The actor to record: the one given, else the one of ``acting_as``, else "unknown"."""
    return actor or _actor.get() or "unknown"


#: Visibility levels from the widest audience to the narrowest.
VISIBILITIES: tuple[str, ...] = ("public", "coalition", "private")


def visible_levels(audience: str) -> tuple[str, ...]:
    """The visibility values an audience may see: public sees public only, and so on."""
    return VISIBILITIES[: VISIBILITIES.index(audience) + 1]


def now_iso() -> str:
    """The current UTC time as ISO text, to the second."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def plan_upserts(
    incoming: Sequence[Record],
    existing: dict[Any, Record],
    key: Callable[[Record], Any],
    now: str,
    versioned: bool = True,
) -> list[Record]:
    """The rows an upsert must write, with bookkeeping filled in, the same on every backend.

    A record equal in content to the stored one is skipped (re-importing a file changes
    nothing). A changed record keeps its ``created_at``, gets ``updated_at = now`` and the
    next ``version``. A new record keeps the bookkeeping it carries (so a map copied
    between stores stays identical) or gets fresh values. Of several records with one key,
    the last is written. Records without versions (introductions: ``versioned=False``)
    keep an ``updated_at`` they carry, and get no ``version``.
    """
    rows = []
    latest = {key(record): record for record in incoming}  # one row per key: the last wins
    for record in latest.values():
        row = dict(record)
        old = existing.get(key(record))
        if old is not None:
            if all(old.get(k) == row.get(k) for k in row if k not in BOOKKEEPING):
                continue
            if versioned:
                row.update(created_at=old["created_at"], updated_at=now, version=old.get("version", 0) + 1)
            else:
                row.update(created_at=old["created_at"], updated_at=row.get("updated_at") or now)
        else:
            row["created_at"] = row.get("created_at") or now
            row["updated_at"] = row.get("updated_at") or now
            if versioned:
                row["version"] = row.get("version") or 1
        rows.append(row)
    return rows


def check_expected(kind: str, expected: ExpectedVersions | None, existing: dict[Any, Record], written: set) -> None:
    """Raise ``StaleEdit`` when a stored record's version is not the one the edit started from.

    Backends call this inside the write transaction, after reading ``existing`` (the
    stored records of the keys written), so no other write can slip in between. Only
    keys of this ``kind`` are checked: strings for organizations, triples for ties.
    """
    for key, version in (expected or {}).items():
        if (kind == "organization") != isinstance(key, str):
            continue
        if key not in written:
            raise ValueError(f"expected_versions names {kind} {key!r}, which this write does not change")
        current = existing.get(key)
        if current is None or current.get("version") != version:
            raise StaleEdit(kind, key, version, current)


def audit_key(kind: str, key: Any) -> str:
    """The text key of an audit entry: an id, ``source|target|kind`` or ``a|b``."""
    return "|".join(key) if isinstance(key, tuple) else str(key)


def change_entries(
    kind: str, rows: Sequence[Record], existing: dict[Any, Record], key: Callable[[Record], Any]
) -> list[Record]:
    """Audit entries (without seq, at and actor) for rows ``plan_upserts`` chose to write.

    A new record is logged whole in ``after``; a changed one as the fields that changed,
    old values in ``before`` and new ones in ``after``, plus ``version`` when it has one.
    """
    entries = []
    for row in rows:
        old = existing.get(key(row))
        if old is None:
            entries.append(_entry("create", kind, key(row), None, row))
            continue
        changed = [f for f in row if f not in BOOKKEEPING and old.get(f) != row.get(f)]
        if "version" in row:
            changed.append("version")
        before = {f: old.get(f) for f in changed}
        after = {f: row.get(f) for f in changed}
        entries.append(_entry("update", kind, key(row), before, after))
    return entries


def delete_entry(kind: str, key: Any, record: Record) -> Record:
    """The audit entry (without seq, at and actor) for a removed record."""
    return _entry("delete", kind, key, record, None)


def _entry(action: str, kind: str, key: Any, before: Record | None, after: Record | None) -> Record:
    return {"action": action, "kind": kind, "key": audit_key(kind, key), "before": before, "after": after}


def former_names(renames: Iterable[tuple[str, str | None]]) -> dict[str, list[str]]:
    """Organization id -> earlier names, from ``(key, before JSON)`` of update entries."""
    names: dict[str, list[str]] = {}
    for key, before in renames:
        old = json.loads(before or "{}").get("name")
        if isinstance(old, str) and old not in names.setdefault(key, []):
            names[key].append(old)
    return names


def audit_fields(entry: Mapping[str, Any]) -> Record:
    """An audit entry as both backends store it: before and after as JSON text."""
    row = {f: entry.get(f) for f in ("seq", "at", "actor", "action", "kind", "key")}
    for field in ("before", "after"):
        row[field] = audit_json(entry.get(field))
    return row


def restored_history(existing: Iterable[Record], restored: Iterable[Record], last_seq: int) -> list[Record]:
    """The entries of a restored trail that the store's own trail lacks (same time, actor,
    action, record and values), oldest first, numbered after ``last_seq``, as stored rows
    (``audit_fields``). Restoring a backup of this very store appends nothing; restoring
    another map's backup appends its history after ours, so no restore rewrites history."""
    seen = {_identity(audit_fields(e)) for e in existing}
    rows = []
    for entry in sorted(restored, key=lambda e: e.get("seq") or 0):
        row = audit_fields(entry)
        if _identity(row) not in seen:
            seen.add(_identity(row))
            rows.append({**row, "seq": last_seq + len(rows) + 1})
    return rows


def _identity(row: Record) -> tuple:
    return tuple(row[f] for f in ("at", "actor", "action", "kind", "key", "before", "after"))


def side_entries(records: Sequence[Record], existing: Mapping[tuple, Record]) -> list[Record]:
    """Audit entries for side records about to be written over ``existing`` (by
    ``side_key``): created whole, changed as the body's fields before and after."""
    entries = []
    for record in records:
        key = side_key(record)
        old = existing.get(key)
        if old is None:
            entries.append(_entry("create", SIDE_KINDS[record["kind"]], key, None, record["body"]))
            continue
        changed = [f for f in {**old["body"], **record["body"]} if old["body"].get(f) != record["body"].get(f)]
        if changed:
            before = {f: old["body"].get(f) for f in changed}
            after = {f: record["body"].get(f) for f in changed}
            entries.append(_entry("update", SIDE_KINDS[record["kind"]], key, before, after))
    return entries


def side_key(record: Mapping[str, Any]) -> tuple[str, str, str]:
    """The key of a side record: ``(kind, round, org)``."""
    return record["kind"], record["round"], record["org"]


def audit_json(value: Record | None) -> str | None:
    """``before`` or ``after`` as the JSON text both backends store (dates as text)."""
    return None if value is None else _ENCODER.encode(value)


_ENCODER = json.JSONEncoder(ensure_ascii=False, default=str, separators=(",", ":"))


class MapSnapshot(dict):
    """A consistent read of the whole map: ``movements``, ``organizations``, ``ties``,
    ``introductions`` (lists of records), ``version`` (the store version it reflects) and
    ``former_names`` (organization id -> the names it had before, from the audit trail,
    so that text written under an old name can still be recognized).
    """


class Store(ABC):
    """A place where one coalition map lives.

    Every write method runs in one transaction: it applies entirely or not at all, and
    outside a unit of work (``transaction``) it is a unit of work of its own. Every write
    bumps the store version, which readers use as a cache key.
    """

    url: str
    #: The file the map lives in, for an embedded store (None for a server).
    file: Path | None = None
    #: Whether the store's file is encrypted at rest with a passphrase (SQLite only).
    encrypted: bool = False

    # units of work -----------------------------------------------------------------
    @abstractmethod
    def transaction(self) -> AbstractContextManager[None]:
        """One unit of work for this thread: reads and writes inside see one state and
        commit together when the block ends, or not at all.

        Other writers (threads, processes, other clients of a server) wait until the block
        ends. A block inside a block joins the outer one. An error that leaves a write or
        an inner block dooms the whole unit (the inner work may be half done): even if the
        caller catches it, nothing of the unit is committed and leaving the outer block
        raises ``StoreError``.
        """

    # lifecycle ---------------------------------------------------------------------
    @abstractmethod
    def init(self, default_movements: Iterable[Record] = ()) -> None:
        """Create or migrate the schema, then add the default movements if absent."""

    @abstractmethod
    def close(self) -> None:
        """Release connections."""

    @abstractmethod
    def version(self) -> int:
        """A number that grows with every committed write."""

    @abstractmethod
    def describe(self) -> str:
        """A short, password-free description of where the map lives, for people."""

    # writes ------------------------------------------------------------------------
    @abstractmethod
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
        """Upsert all given records by key in one transaction (all or nothing).

        An organization's ``version`` and ``created_at`` in the store win over the
        record's when it exists: the store counts versions, callers do not.

        ``expected_versions`` maps organization ids (and tie keys) to the version an
        edit started from; when a stored version differs, ``StaleEdit`` is raised with
        the current record and nothing is written. Every changed record gets an audit
        entry by ``actor`` (see ``current_actor``) in the same transaction.
        """

    @abstractmethod
    def delete_organization(self, org_id: str, *, actor: str | None = None) -> int:
        """Remove an organization, its ties and introductions; return ties removed.

        Each removed record is logged, and so is every introduction that loses it as
        its broker."""

    @abstractmethod
    def delete_tie(self, source: str, target: str, kind: str | None = None, *, actor: str | None = None) -> int:
        """Remove the ties between two organizations (of one kind, or all kinds) in
        either direction; return how many were removed (each one is logged)."""

    @abstractmethod
    def clear(self, *, actor: str | None = None) -> None:
        """Remove every record, keeping the schema and the audit trail (which gets one
        ``clear`` entry with the counts removed)."""

    @abstractmethod
    def replace_all(self, content: Mapping[str, Any], *, actor: str | None = None) -> None:
        """Make the store's map exactly the map of ``content`` (as ``dump`` returns it),
        with its versions and timestamps, in one transaction. The audit trail is never
        rewritten: the store's own entries stay, the entries of ``content["audit"]`` that
        the store lacks are appended as history (``restored_history``), then one
        ``restore`` entry by ``actor`` with the counts before and after."""

    # side records ------------------------------------------------------------------
    @abstractmethod
    def write_side_records(self, records: Sequence[Record], *, actor: str | None = None) -> None:
        """Add or replace side records: each has ``kind`` (one of ``SIDE_KINDS``),
        ``round``, ``org`` ('' for a round or a snapshot) and ``body`` (a JSON-able dict).
        Each change is an audit entry (of the kind ``SIDE_KINDS`` names); a record written
        unchanged is not."""

    @abstractmethod
    def side_records(self, kind: str, round_id: str | None = None) -> list[Record]:
        """Side records of one kind, of one round (or snapshot name) or of all, by round
        then org."""

    # reads -------------------------------------------------------------------------
    @abstractmethod
    def get_organization(self, org_id: str) -> Record | None:
        """One organization whatever its visibility, or None."""

    @abstractmethod
    def snapshot(self) -> MapSnapshot:
        """The whole map, every visibility, read consistently (one committed state).

        Only ``coalition.domain.privacy`` turns it into what an audience may see.
        """

    @abstractmethod
    def get_tie(self, source: str, target: str, kind: str) -> Record | None:
        """One tie by its key (in that direction) whatever its visibility, or None."""

    @abstractmethod
    def audit(
        self,
        limit: int | None = 100,
        since: str | None = None,
        kind: str | None = None,
        key: str | None = None,
        after_seq: int | None = None,
    ) -> list[Record]:
        """Audit entries, newest first: ``seq``, ``at``, ``actor``, ``action``, ``kind``,
        ``key``, ``before``, ``after`` (dicts or None).

        ``since`` keeps entries at or after an ISO time, ``after_seq`` those after a
        sequence number, ``kind`` and ``key`` (as ``audit_key`` writes it) those about
        one kind or record; ``limit=None`` returns all.
        """

    @abstractmethod
    def dump(self) -> MapSnapshot:
        """The whole private map plus ``audit`` (every entry, oldest first), read
        consistently: what a backup holds."""

    @abstractmethod
    def check(self) -> list[str]:
        """Problems in how the map is stored (schema, constraints, dangling references),
        one sentence each; empty when all is well."""

    def backup_image(self) -> tuple[str, bytes]:
        """A copy of the whole store for a backup: ``(kind, bytes)``. By default the
        ``json`` coalition-map document of ``dump`` (read as one consistent state); an
        embedded backend may give a copy of its file instead (``sqlite``)."""
        content = self.dump()
        document = {
            "format": "coalition-map",
            "version": 1,
            "audience": "private",
            "backup_of": self.describe(),
            "backed_up_at": now_iso(),
            "store_version": content["version"],
            **{kind: content[kind] for kind in ("movements", "organizations", "ties", "introductions", "audit")},
        }
        return "json", _ENCODER.encode(document).encode("utf-8")

    def counts(self) -> dict[str, int]:
        """How many records of each kind the store holds (all visibilities)."""
        snap = self.snapshot()
        return {key: len(snap[key]) for key in ("movements", "organizations", "ties", "introductions")}

    def is_empty(self) -> bool:
        """True when the store holds no organization."""
        return self.counts()["organizations"] == 0

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
