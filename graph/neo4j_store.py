"""The server store: a map in Neo4j 5, through the official driver.

Writes go through ``session.execute_write`` so the driver retries transient errors, and
each ``write_map`` is one transaction however many ``UNWIND $rows`` batches it sends: a
failure leaves the database as it was. Reads use read routing. All Cypher lives in
``graph.neo4j_queries``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

from neo4j import Driver, GraphDatabase, ManagedTransaction
from neo4j.exceptions import AuthError, ClientError, DriverError, Neo4jError, ServiceUnavailable, TransientError

from graph import neo4j_queries as q
from graph.errors import StoreError, StoreUnavailable
from graph.records import (
    INTRO_FIELDS,
    ORG_FIELDS,
    TIE_FIELDS,
    normalize_introduction,
    normalize_organization,
    normalize_tie,
)
from graph.store import MapSnapshot, Record, Store, now_iso, plan_upserts, visible_levels

__all__ = ["Neo4jStore", "BATCH"]

#: Rows per ``UNWIND $rows`` statement; all batches of one write share a transaction.
BATCH = 5000
SNAPSHOT_RETRIES = 5


class Neo4jStore(Store):
    """A map in a Neo4j 5 database."""

    def __init__(self, uri: str, auth: tuple[str, str] | None, database: str | None = None) -> None:
        self.uri = uri
        self.url = uri
        self.database = database
        self._auth = auth
        self._driver: Driver | None = None

    @classmethod
    def from_url(cls, url: str) -> Neo4jStore:
        """Credentials from the URL (``neo4j://user:pass@host:7687``) or from NEO4J_USERNAME
        and NEO4J_PASSWORD; the database from NEO4J_DATABASE (or the server's default)."""
        parts = urlsplit(url)
        user = unquote(parts.username) if parts.username else os.environ.get("NEO4J_USERNAME", "neo4j")
        password = unquote(parts.password) if parts.password else os.environ.get("NEO4J_PASSWORD")
        host = parts.hostname or "localhost"
        netloc = f"[{host}]" if ":" in host else host
        if parts.port:
            netloc += f":{parts.port}"
        uri = urlunsplit((parts.scheme, netloc, "", "", ""))
        auth = (user, password) if password is not None else None
        return cls(uri, auth, database=os.environ.get("NEO4J_DATABASE") or None)

    # connection --------------------------------------------------------------------
    @property
    def driver(self) -> Driver:
        if self._driver is None:
            try:
                # Notifications (e.g. "relationship type does not exist" on an empty map)
                # are advice for query authors, not for people running the tool.
                driver = GraphDatabase.driver(self.uri, auth=self._auth, notifications_min_severity="OFF")
                driver.verify_connectivity()
            except AuthError as e:
                raise StoreUnavailable(
                    f"Neo4j at {self.uri} refused the credentials of user {self._user!r}: check NEO4J_USERNAME and NEO4J_PASSWORD"
                ) from e
            except ServiceUnavailable as e:
                raise StoreUnavailable(
                    f"cannot reach Neo4j at {self.uri}: no server answered (is it running, and is the port right?)"
                ) from e
            except (DriverError, OSError, ValueError) as e:
                raise StoreUnavailable(f"cannot reach Neo4j at {self.uri}: {_first_line(e)}") from e
            self._driver = driver
        return self._driver

    @property
    def _user(self) -> str:
        return self._auth[0] if self._auth else "(none)"

    def _write(self, work: Callable[[ManagedTransaction], Any]) -> Any:
        """Run ``work`` in one write transaction that also bumps the store version."""

        def unit(tx: ManagedTransaction) -> Any:
            self._require_schema(tx)
            result = work(tx)
            tx.run(q.BUMP_VERSION).consume()
            return result

        return self._run(lambda session: session.execute_write(unit))

    def _read(self, work: Callable[[ManagedTransaction], Any]) -> Any:
        def unit(tx: ManagedTransaction) -> Any:
            self._require_schema(tx)
            return work(tx)

        return self._run(lambda session: session.execute_read(unit))

    def _run(self, call: Callable[[Any], Any]) -> Any:
        try:
            with self.driver.session(database=self.database) as session:
                return call(session)
        except StoreError:
            raise
        except ClientError as e:
            raise StoreError(f"Neo4j refused the change, the map was not changed: {_first_line(e)}") from e
        except TransientError as e:
            if "MemoryPoolOutOfMemoryError" in (e.code or ""):
                raise StoreError(
                    "Neo4j ran out of transaction memory (dbms.memory.transaction.total.max), so the map was not "
                    "changed: give the server a larger heap or import the map in parts"
                ) from e
            raise StoreUnavailable(f"Neo4j at {self.uri} is busy, the map was not changed: {_first_line(e)}") from e
        except (Neo4jError, DriverError) as e:
            raise StoreUnavailable(f"Neo4j at {self.uri} failed: {_first_line(e)}") from e

    def _require_schema(self, tx: ManagedTransaction) -> None:
        if tx.run(q.HAS_SCHEMA).single()["n"] == 0:
            raise StoreUnavailable(f"Neo4j at {self.uri} holds no map yet: run `coalition init` first")

    # lifecycle ---------------------------------------------------------------------
    def init(self, default_movements: Iterable[Record] = ()) -> None:
        try:
            for statement in q.SCHEMA:
                self.driver.execute_query(statement, database_=self.database)
        except Neo4jError as e:
            raise StoreError(f"cannot set up Neo4j at {self.uri}: {_first_line(e)}") from e
        movements = [dict(m) for m in default_movements]

        def unit(tx: ManagedTransaction) -> None:
            tx.run(q.ENSURE_META).consume()
            done = {r["name"] for r in tx.run(q.APPLIED_MIGRATIONS)}
            for name, statements in q.MIGRATIONS:
                if name not in done:
                    for statement in statements:
                        tx.run(statement).consume()
                    tx.run(q.RECORD_MIGRATION, name=name, now=now_iso()).consume()
            tx.run(q.ADD_MOVEMENTS_IF_ABSENT, rows=movements).consume()

        self._run(lambda session: session.execute_write(unit))

    def close(self) -> None:
        if self._driver is not None:
            self._driver.close()
            self._driver = None

    def version(self) -> int:
        return self._read(lambda tx: tx.run(q.READ_VERSION).single()["version"])

    def describe(self) -> str:
        database = f", database {self.database}" if self.database else ""
        return f"Neo4j server {self.uri}{database}"

    # writes ------------------------------------------------------------------------
    def write_map(
        self,
        movements: Sequence[Record] = (),
        organizations: Sequence[Record] = (),
        ties: Sequence[Record] = (),
        introductions: Sequence[Record] = (),
    ) -> None:
        now = now_iso()
        movement_rows = [{"id": m["id"], "name": m["name"], "color": m["color"]} for m in movements]
        incoming_orgs = [normalize_organization(o) for o in organizations]
        incoming_ties = [normalize_tie(t) for t in ties]
        incoming_intros = [normalize_introduction(i) for i in introductions]

        def work(tx: ManagedTransaction) -> None:
            for batch in _batches(movement_rows):
                tx.run(q.UPSERT_MOVEMENTS, rows=batch).consume()
            self._check_known(tx, q.MOVEMENT_IDS, {m for o in incoming_orgs for m in o["movements"]}, "movement")
            existing_orgs = _existing_organizations(tx, incoming_orgs)
            org_rows = plan_upserts(incoming_orgs, existing_orgs, lambda o: o["id"], now)
            _write_split(
                tx,
                org_rows,
                lambda o: o["id"] in existing_orgs,
                q.CREATE_ORGANIZATIONS,
                q.UPDATE_ORGANIZATIONS,
                _org_params,
            )
            ends = {t[end] for t in incoming_ties for end in ("source", "target")}
            ends |= {i[end] for i in incoming_intros for end in ("a", "b") if i[end]}
            self._check_known(tx, q.ORGANIZATION_IDS, ends, "organization")
            tie_key = lambda t: (t["source"], t["target"], t["kind"])  # noqa: E731
            existing_ties = _existing_ties(tx, incoming_ties)
            tie_rows = plan_upserts(incoming_ties, existing_ties, tie_key, now)
            _write_split(tx, tie_rows, lambda t: tie_key(t) in existing_ties, q.CREATE_TIES, q.UPDATE_TIES, _tie_params)
            for batch in _batches(incoming_intros):
                tx.run(q.UPSERT_INTRODUCTIONS, rows=[_intro_params(i, now) for i in batch]).consume()

        self._write(work)

    def _check_known(self, tx: ManagedTransaction, query: str, ids: set[str], what: str) -> None:
        """Refuse the whole write when it names a movement or organization that is absent."""
        if not ids:
            return
        found = {r["id"] for batch in _batches(sorted(ids)) for r in tx.run(query, ids=batch)}
        missing = sorted(ids - found)
        if missing:
            raise StoreError(f"the map was not changed: unknown {what} {missing[0]!r}")

    def delete_organization(self, org_id: str) -> int:
        def work(tx: ManagedTransaction) -> int:
            record = tx.run(q.DELETE_ORGANIZATION, id=org_id).single()
            return record["ties"] if record else 0

        return self._write(work)

    def delete_tie(self, source: str, target: str, kind: str | None = None) -> int:
        return self._write(
            lambda tx: tx.run(q.DELETE_TIES, source=source, target=target, kind=kind).single()["removed"]
        )

    def clear(self) -> None:
        def work(tx: ManagedTransaction) -> None:
            for statement in q.CLEAR:
                tx.run(statement).consume()

        self._write(work)

    # reads -------------------------------------------------------------------------
    def get_organization(self, org_id: str) -> Record | None:
        record = self._read(lambda tx: tx.run(q.GET_ORGANIZATION, id=org_id).single())
        return _org_record(record["org"], record["movements"]) if record else None

    def snapshot(self, audience: str = "private") -> MapSnapshot:
        """Read everything; retried when a write lands in between, so the result is one
        consistent state (Neo4j reads are read-committed, not snapshot-isolated)."""
        levels = list(visible_levels(audience))

        def work(tx: ManagedTransaction) -> MapSnapshot:
            version = tx.run(q.READ_VERSION).single()["version"]
            snap = MapSnapshot(
                movements=[dict(r) for r in tx.run(q.ALL_MOVEMENTS)],
                organizations=[
                    _org_record(r["org"], r["movements"]) for r in tx.run(q.VISIBLE_ORGANIZATIONS, levels=levels)
                ],
                ties=[_tie_record(r) for r in tx.run(q.VISIBLE_TIES, levels=levels)],
                introductions=[_intro_record(r["intro"]) for r in tx.run(q.VISIBLE_INTRODUCTIONS, levels=levels)],
                version=version,
            )
            return snap if tx.run(q.READ_VERSION).single()["version"] == version else None

        for _ in range(SNAPSHOT_RETRIES):
            snap = self._read(work)
            if snap is not None:
                return snap
        raise StoreUnavailable(f"Neo4j at {self.uri} kept changing while the map was read; try again")

    def counts(self) -> dict[str, int]:
        return self._read(lambda tx: dict(tx.run(q.COUNTS).single()))


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
        for batch in _batches(chosen):
            tx.run(statement, rows=[params(r) for r in batch]).consume()


def _batches(rows: Sequence[Any]) -> Iterable[list[Any]]:
    for start in range(0, len(rows), BATCH):
        yield list(rows[start : start + BATCH])


def _existing_organizations(tx: ManagedTransaction, orgs: list[Record]) -> dict[str, Record]:
    found = {}
    for batch in _batches([o["id"] for o in orgs]):
        for r in tx.run(q.EXISTING_ORGANIZATIONS, ids=batch):
            record = _org_record(r["org"], r["movements"])
            found[record["id"]] = record
    return found


def _existing_ties(tx: ManagedTransaction, ties: list[Record]) -> dict[tuple, Record]:
    found = {}
    keys = [{"source": t["source"], "target": t["target"], "kind": t["kind"]} for t in ties]
    for batch in _batches(keys):
        for r in tx.run(q.EXISTING_TIES, keys=batch):
            record = _tie_record(r)
            found[(record["source"], record["target"], record["kind"])] = record
    return found


def _org_params(org: Record) -> dict[str, Any]:
    return {"id": org["id"], "movements": org["movements"], "props": {f: org[f] for f in ORG_FIELDS if f != "id"}}


def _tie_params(tie: Record) -> dict[str, Any]:
    props = {f: tie[f] for f in TIE_FIELDS if f not in ("source", "target", "kind")}
    return {"source": tie["source"], "target": tie["target"], "kind": tie["kind"], "props": props}


def _intro_params(intro: Record, now: str) -> dict[str, Any]:
    props = {f: intro[f] for f in INTRO_FIELDS if f != "created_at"}
    props["updated_at"] = intro["updated_at"] or now
    return {"key": f"{intro['a']}|{intro['b']}", "created_at": intro["created_at"] or now, "props": props}


def _org_record(props: dict[str, Any], movements: list[str]) -> Record:
    record = normalize_organization({**props, "movements": movements})
    return record


def _tie_record(row: Any) -> Record:
    return normalize_tie({**row["tie"], "source": row["source"], "target": row["target"]})


def _intro_record(props: dict[str, Any]) -> Record:
    return normalize_introduction(props)


def _first_line(error: Exception) -> str:
    text = getattr(error, "message", None) or str(error) or type(error).__name__
    return text.strip().splitlines()[0]
