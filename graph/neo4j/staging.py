"""Large writes staged outside their transaction, so a national map fits the server's heap.

Neo4j keeps all a transaction changes on its heap until the commit: one transaction of
50,000 organizations, 200,000 ties and their 250,000 audit entries ran a server with the
default 1 GB heap out of memory. So a write that creates more than ``STAGE_OVER``
organizations and ties writes them first, in committed batches that no reader sees (see
``graph.neo4j.queries``): its new organizations as (:StagedOrganization) nodes, the ties
among them, and its audit entries past the audit counter. Its own transaction, which
holds the store lock all along, then switches them over (relabels the organizations,
links their movements, moves the counter) and applies the rest of the write (changed
records, ties to organizations already in the map) as a small write would. The write
commits, or none of it is ever visible.

What a write staged before it died (killed client, failed switch-over, rolled-back unit
of work) stays behind invisible until the next writer deletes it (``clear_leftovers``).
That writer holds the store lock, and staging happens only under it, so it never
deletes what a running write has staged.
"""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from neo4j import Driver, ManagedTransaction, Transaction

from graph.neo4j import queries as q
from graph.neo4j.rows import BATCH, batches, org_params, tie_params
from graph.store import Record

__all__ = ["STAGE_OVER", "Stager", "clear_leftovers"]

#: A write creating more organizations and ties than this is staged; so is an audit
#: trail longer than this. Smaller writes stay in their transaction: one round trip.
STAGE_OVER = BATCH


class Stager:
    """The staged part of one write attempt: batches committed through sessions of their
    own, then ``switch_over`` inside the write's transaction."""

    def __init__(self, driver: Driver, database: str | None) -> None:
        self._driver = driver
        self._database = database
        self.stage = uuid4().hex  # tells this attempt's nodes from a dead one's
        self._elements: dict[str, str] = {}  # organization id -> element id of its staged node

    @staticmethod
    def wants(rows: int) -> bool:
        """Whether a write of this many rows should be staged."""
        return rows > STAGE_OVER

    def is_staged(self, org_id: str) -> bool:
        return org_id in self._elements

    def organizations(self, rows: list[Record]) -> None:
        """Stage new organizations (their ids must be absent from the map)."""
        found = self._commit(q.STAGE_ORGANIZATIONS, [org_params(o) for o in rows], stage=self.stage)
        self._elements.update((r["id"], r["element"]) for r in found)

    def ties(self, rows: list[Record]) -> None:
        """Stage new ties whose two ends are staged organizations."""
        params = [
            {**tie_params(t), "source": self._elements[t["source"]], "target": self._elements[t["target"]]}
            for t in rows
        ]
        self._commit(q.STAGE_TIES, params)

    def audit(self, rows: list[Record]) -> None:
        """Stage audit entries (stored rows numbered past the counter)."""
        self._commit(q.CREATE_AUDIT_ENTRIES, rows)

    def switch_over(self, tx: ManagedTransaction | Transaction) -> None:
        """Make the staged organizations (and so their ties) part of the map in ``tx``."""
        if self._elements:
            tx.run(q.SWITCH_ORGANIZATIONS, stage=self.stage).consume()

    def _commit(self, query: str, rows: list[dict[str, Any]], **params: Any) -> list[Any]:
        found: list[Any] = []
        with self._driver.session(database=self._database) as session:
            for batch in batches(rows):
                found += session.execute_write(_records, query, {"rows": batch, **params})
        return found


def clear_leftovers(tx: ManagedTransaction | Transaction, driver: Driver, database: str | None) -> None:
    """Delete what dead writes staged. Call under the store lock, before writing: staged
    audit entries hold the numbers the next entries take.

    Looks in ``tx`` (so a unit of work's own switched-over data is never taken for a
    leftover), deletes through auto-commit statements in small transactions."""
    found = tx.run(q.LEFTOVERS).single()
    if not found["imports"] and not found["entries"]:
        return
    with driver.session(database=database) as session:
        if found["imports"]:
            session.run(q.DELETE_STAGED_ORGANIZATIONS, imports=found["imports"]).consume()
        if found["entries"]:
            session.run(q.DELETE_AUDIT_ENTRIES_AFTER, seq=found["seq"]).consume()


def _records(tx: ManagedTransaction, query: str, params: dict[str, Any]) -> list[Any]:
    return list(tx.run(query, params))
