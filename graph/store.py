"""The store interface every backend implements (SQLite embedded, Neo4j server).

A store keeps four kinds of records as plain dicts whose keys are the field names of
the domain models in ``coalition.models``: movements, organizations, ties and
introductions. The domain validates records before they reach a store, so a backend
only has to persist them faithfully and answer reads; it never decides what a user may
see beyond filtering by visibility, which it does in the query itself so that hidden
records are never loaded for an audience that may not see them.

Keys:
    movement        ``id``
    organization    ``id``
    tie             ``(source, target, kind)``
    introduction    ``(a, b)`` with ``a < b``
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

__all__ = ["Record", "MapSnapshot", "Store", "VISIBILITIES", "visible_levels", "plan_upserts", "now_iso", "BOOKKEEPING"]

#: Fields that are bookkeeping, not content: a change in them alone is no edit.
BOOKKEEPING = ("created_at", "updated_at", "version")

Record = dict[str, Any]

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
) -> list[Record]:
    """The rows an upsert must write, with bookkeeping filled in, the same on every backend.

    A record equal in content to the stored one is skipped (re-importing a file changes
    nothing). A changed record keeps its ``created_at``, gets ``updated_at = now`` and the
    next ``version``. A new record keeps the bookkeeping it carries (so a map copied
    between stores stays identical) or gets fresh values. Of several records with one key,
    the last is written.
    """
    rows = []
    latest = {key(record): record for record in incoming}  # one row per key: the last wins
    for record in latest.values():
        row = dict(record)
        old = existing.get(key(record))
        if old is not None:
            if all(old.get(k) == row.get(k) for k in row if k not in BOOKKEEPING):
                continue
            row.update(created_at=old["created_at"], updated_at=now, version=old.get("version", 0) + 1)
        else:
            row["created_at"] = row.get("created_at") or now
            row["updated_at"] = row.get("updated_at") or now
            row["version"] = row.get("version") or 1
        rows.append(row)
    return rows


class MapSnapshot(dict):
    """A consistent read of the whole map: ``movements``, ``organizations``, ``ties``,
    ``introductions`` (lists of records) and ``version`` (the store version it reflects).
    """


class Store(ABC):
    """A place where one coalition map lives.

    Every write method runs in one transaction: it applies entirely or not at all. Every
    write bumps the store version, which readers use as a cache key.
    """

    url: str

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
    ) -> None:
        """Upsert all given records by key in one transaction (all or nothing).

        An organization's ``version`` and ``created_at`` in the store win over the
        record's when it exists: the store counts versions, callers do not.
        """

    @abstractmethod
    def delete_organization(self, org_id: str) -> int:
        """Remove an organization, its ties and introductions; return ties removed."""

    @abstractmethod
    def delete_tie(self, source: str, target: str, kind: str | None = None) -> int:
        """Remove the ties between two organizations (of one kind, or all kinds) in
        either direction; return how many were removed."""

    @abstractmethod
    def clear(self) -> None:
        """Remove every record, keeping the schema (used by restore and tests)."""

    # reads -------------------------------------------------------------------------
    @abstractmethod
    def get_organization(self, org_id: str) -> Record | None:
        """One organization whatever its visibility, or None."""

    @abstractmethod
    def snapshot(self, audience: str = "private") -> MapSnapshot:
        """Everything the audience may see by visibility, read consistently.

        Organizations above the audience are left out, and so is every tie that touches
        one; ties and introductions are filtered the same way.
        """

    def counts(self) -> dict[str, int]:
        """How many records of each kind the store holds (all visibilities)."""
        snap = self.snapshot("private")
        return {key: len(snap[key]) for key in ("movements", "organizations", "ties", "introductions")}

    def is_empty(self) -> bool:
        """True when the store holds no organization."""
        return self.counts()["organizations"] == 0

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
