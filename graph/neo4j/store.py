"""The server store: a map in Neo4j 5, through the official driver.

Writes go through ``session.execute_write`` so the driver retries transient errors, and
each ``write_map`` is one transaction however many ``UNWIND $rows`` batches it sends: a
failure leaves the database as it was, and so does a client that dies halfway (the
server rolls back the transaction of a closed connection). A large write stages its new
records beforehand in committed batches nobody sees, and its transaction switches them
over (``graph.neo4j.staging``), so it fits the server's heap and stays all or nothing;
``clear`` retires the map in its transaction and deletes it in small ones afterwards.
Every write first takes the store lock (``LOCK_STORE``), so writes run one at a time and
stale edits are caught reliably, and writes its audit entries before it commits. Reads
of the whole map (``snapshot``, ``dump``) take the same lock, as Neo4j offers no snapshot
isolation, and come in pages of ``BATCH`` records; reads of single records use read
routing. All Cypher lives in ``graph.neo4j.queries``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit
from uuid import uuid4

from neo4j import Driver, GraphDatabase, ManagedTransaction, Transaction
from neo4j.exceptions import AuthError, ClientError, DriverError, Neo4jError, ServiceUnavailable, TransientError

from graph.connect import Neo4jOptions
from graph.errors import StoreError, StoreUnavailable
from graph.neo4j import queries as q
from graph.neo4j.rows import (
    BATCH,
    append_audit,
    audit_record,
    audit_trail,
    intro_key,
    intro_record,
    normalized,
    org_record,
    read_map,
    tie_key,
    tie_record,
    write_audit_rows,
    write_records,
)
from graph.neo4j.staging import Stager, clear_leftovers
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

__all__ = ["Neo4jStore", "BATCH"]


class Neo4jStore(Store):
    """A map in a Neo4j 5 database."""

    def __init__(self, uri: str, auth: tuple[str, str] | None, database: str | None = None) -> None:
        self.uri = uri
        self.url = uri
        self.database = database
        self._auth = auth
        self._driver: Driver | None = None
        self._driver_lock = threading.Lock()
        self._upgraded = False
        self._unit = threading.local()  # the unit of work this thread is in: .tx, .doomed

    @classmethod
    def from_url(cls, url: str, options: Neo4jOptions) -> Neo4jStore:
        """Credentials from the URL (``neo4j://user:pass@host:7687``), else from
        ``options`` (built from NEO4J_USERNAME and NEO4J_PASSWORD at the edge), and the
        database from ``options`` (or the server's default)."""
        parts = urlsplit(url)
        user = unquote(parts.username) if parts.username else options.user
        password = unquote(parts.password) if parts.password else options.password
        host = parts.hostname or "localhost"
        netloc = f"[{host}]" if ":" in host else host
        if parts.port:
            netloc += f":{parts.port}"
        uri = urlunsplit((parts.scheme, netloc, "", "", ""))
        auth = (user, password) if password is not None else None
        return cls(uri, auth, database=options.database)

    # connection --------------------------------------------------------------------
    @property
    def driver(self) -> Driver:
        with self._driver_lock:  # threads share one driver (it is thread-safe; sessions are not)
            if self._driver is None:
                self._driver = self._connect()
        return self._driver

    def _connect(self) -> Driver:
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
        return driver

    @property
    def _user(self) -> str:
        return self._auth[0] if self._auth else "(none)"

    @contextmanager
    def transaction(self) -> Iterator[None]:
        if getattr(self._unit, "tx", None) is not None:
            try:
                yield  # joins the unit of work this thread is already in
            except BaseException:
                self._unit.doomed = True  # what the inner block wrote may be half done
                raise
            return
        self._upgrade()
        with self._errors(), self.driver.session(database=self.database) as session:
            tx = session.begin_transaction()
            self._unit.tx, self._unit.doomed = tx, False
            try:
                self._require_schema(tx)
                tx.run(q.LOCK_FOR_READ).consume()  # the store lock, held until the commit
                yield
                if self._unit.doomed:
                    raise StoreError(
                        f"a write to Neo4j at {self.uri} failed inside this change, so the map was not changed"
                    )
            except BaseException:
                tx.close()  # rolls back
                raise
            finally:
                self._unit.tx = None
            tx.commit()

    def _write(self, work: Callable[[ManagedTransaction, list[Record]], Any], actor: str | None = None) -> Any:
        """Run ``work`` under the store lock in the unit of work of this thread (or a
        transaction of its own); ``work`` appends audit entries to the list it gets, and
        they are written in the same transaction."""
        actor = current_actor(actor)

        def unit(tx: ManagedTransaction | Transaction) -> Any:
            tx.run(q.LOCK_STORE).consume()
            clear_leftovers(tx, self.driver, self.database)
            log: list[Record] = []
            result = work(tx, log)
            append_audit(tx, log, actor, self._stager())
            return result

        tx = getattr(self._unit, "tx", None)
        if tx is not None:
            try:
                with self._errors():
                    return unit(tx)
            except BaseException:
                self._unit.doomed = True
                raise
        self._upgrade()

        def checked(tx: ManagedTransaction) -> Any:
            self._require_schema(tx)
            return unit(tx)

        return self._run(lambda session: session.execute_write(checked))

    def _stager(self) -> Stager:
        """A new staging area for one write attempt (a retried attempt stages anew)."""
        return Stager(self.driver, self.database)

    def _upgrade(self) -> None:
        """Apply migrations a database made by an older version lacks, once per store."""
        if not self._upgraded:
            done = {r["name"] for r in self._run(lambda session: session.execute_read(_applied_migrations))}
            if "0001_initial" in done and any(name not in done for name, _ in q.MIGRATIONS):
                self.init(())
            self._upgraded = True

    def _read(self, work: Callable[[ManagedTransaction], Any]) -> Any:
        tx = getattr(self._unit, "tx", None)
        if tx is not None:
            with self._errors():
                return work(tx)

        def unit(tx: ManagedTransaction) -> Any:
            self._require_schema(tx)
            return work(tx)

        return self._run(lambda session: session.execute_read(unit))

    def _run(self, call: Callable[[Any], Any]) -> Any:
        with self._errors(), self.driver.session(database=self.database) as session:
            return call(session)

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """Driver errors as our own, one sentence each."""
        try:
            yield
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
        movements = [{"id": m["id"], "name": m["name"], "color": m["color"]} for m in default_movements]
        actor = current_actor()

        def unit(tx: ManagedTransaction) -> None:
            tx.run(q.ENSURE_META).consume()
            tx.run(q.LOCK_FOR_READ).consume()  # the store lock; the version grows only if movements are added
            clear_leftovers(tx, self.driver, self.database)
            done = {r["name"] for r in tx.run(q.APPLIED_MIGRATIONS)}
            for name, statements in q.MIGRATIONS:
                if name not in done:
                    for statement in statements:
                        tx.run(statement).consume()
                    tx.run(q.RECORD_MIGRATION, name=name, now=now_iso()).consume()
            known = {r["id"] for r in tx.run(q.ALL_MOVEMENTS)}
            added = [m for m in movements if m["id"] not in known]
            if added:
                tx.run(q.ADD_MOVEMENTS_IF_ABSENT, rows=added).consume()
                tx.run(q.LOCK_STORE).consume()
            append_audit(tx, change_entries("movement", added, {}, lambda m: m["id"]), actor, self._stager())

        self._run(lambda session: session.execute_write(unit))
        self._upgraded = True

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
        *,
        actor: str | None = None,
        expected_versions: ExpectedVersions | None = None,
    ) -> None:
        records = normalized(movements, organizations, ties, introductions)
        now = now_iso()
        self._write(lambda tx, log: write_records(tx, log, now, *records, expected_versions, self._stager()), actor)

    def delete_organization(self, org_id: str, *, actor: str | None = None) -> int:
        def work(tx: ManagedTransaction, log: list[Record]) -> int:
            found = tx.run(q.GET_ORGANIZATION, id=org_id).single()
            if found is None:
                return 0
            ties = [tie_record(r) for r in tx.run(q.ORGANIZATION_TIES, id=org_id)]
            intros = [intro_record(r["intro"]) for r in tx.run(q.ORGANIZATION_INTRODUCTIONS, id=org_id)]
            brokered = [intro_record(r["intro"]) for r in tx.run(q.BROKERED_INTRODUCTIONS, id=org_id)]
            tx.run(q.DELETE_ORGANIZATION, id=org_id).consume()
            log.extend(delete_entry("tie", tie_key(t), t) for t in ties)
            log.extend(delete_entry("introduction", intro_key(i), i) for i in intros)
            unbrokered = [{**i, "broker": None} for i in brokered]
            log.extend(change_entries("introduction", unbrokered, {intro_key(i): i for i in brokered}, intro_key))
            log.append(delete_entry("organization", org_id, org_record(found["org"], found["movements"])))
            return len(ties)

        return self._write(work, actor)

    def delete_tie(self, source: str, target: str, kind: str | None = None, *, actor: str | None = None) -> int:
        def work(tx: ManagedTransaction, log: list[Record]) -> int:
            ties = [tie_record(r) for r in tx.run(q.MATCHING_TIES, source=source, target=target, kind=kind)]
            tx.run(q.DELETE_TIES, source=source, target=target, kind=kind).consume()
            log.extend(delete_entry("tie", tie_key(t), t) for t in ties)
            return len(ties)

        return self._write(work, actor)

    def clear(self, *, actor: str | None = None) -> None:
        def work(tx: ManagedTransaction, log: list[Record]) -> None:
            counts = dict(tx.run(q.COUNTS).single())
            _retire_map(tx)
            log.append({"action": "clear", "kind": "map", "key": "*", "before": counts, "after": None})

        self._write(work, actor)
        self._collect_retired()

    def replace_all(self, content: Mapping[str, Any], *, actor: str | None = None) -> None:
        kinds = ("movements", "organizations", "ties", "introductions")
        records = normalized(*(content.get(kind) or () for kind in kinds))
        now = now_iso()

        def work(tx: ManagedTransaction, log: list[Record]) -> None:
            trail = audit_trail(tx)
            before = {**tx.run(q.COUNTS).single(), "audit": len(trail)}
            _retire_map(tx)
            write_records(tx, [], now, *records, None, self._stager())
            last = tx.run(q.AUDIT_SEQ).single()["seq"]
            history = restored_history(trail, content.get("audit") or (), last)
            write_audit_rows(tx, history, self._stager())
            tx.run(q.SET_AUDIT_SEQ, seq=last + len(history)).consume()
            after = {**tx.run(q.COUNTS).single(), "audit": len(trail) + len(history)}
            log.append({"action": "restore", "kind": "map", "key": "*", "before": before, "after": after})

        self._write(work, actor)
        self._collect_retired()

    def _collect_retired(self) -> None:
        """Delete the map a committed ``clear`` or ``replace_all`` retired, now rather
        than at the next write (inside a unit of work, the next write does it)."""
        if getattr(self._unit, "tx", None) is not None:
            return

        def unit(tx: ManagedTransaction) -> None:
            tx.run(q.LOCK_FOR_READ).consume()
            clear_leftovers(tx, self.driver, self.database)

        self._run(lambda session: session.execute_write(unit))

    # reads -------------------------------------------------------------------------
    def get_organization(self, org_id: str) -> Record | None:
        record = self._read(lambda tx: tx.run(q.GET_ORGANIZATION, id=org_id).single())
        return org_record(record["org"], record["movements"]) if record else None

    def get_tie(self, source: str, target: str, kind: str) -> Record | None:
        record = self._read(lambda tx: tx.run(q.GET_TIE, source=source, target=target, kind=kind).single())
        return tie_record(record) if record else None

    def snapshot(self) -> MapSnapshot:
        """The whole map, as one consistent state (see ``_consistent``)."""
        return self._consistent(read_map)

    def dump(self) -> MapSnapshot:
        def work(tx: ManagedTransaction) -> MapSnapshot:
            content = read_map(tx)
            content["audit"] = audit_trail(tx)
            return content

        return self._consistent(work)

    def _consistent(self, read: Callable[[ManagedTransaction], MapSnapshot]) -> MapSnapshot:
        """Read under the store lock: it waits for the running write, and holds the next
        ones back until the read is done, so the read sees one committed state (inside a
        unit of work, which holds the lock already, the unit's own state).

        Neo4j reads are read-committed, and a lock-free reader can even see a committed
        write half applied: re-reading the store version to detect writes in between (an
        earlier design) let the load test see ties whose organizations were not there.
        """
        if getattr(self._unit, "tx", None) is not None:
            return self._read(read)

        def locked(tx: ManagedTransaction) -> MapSnapshot:
            self._require_schema(tx)
            tx.run(q.LOCK_FOR_READ).consume()
            return read(tx)

        return self._run(lambda session: session.execute_write(locked))

    def counts(self) -> dict[str, int]:
        return self._read(lambda tx: dict(tx.run(q.COUNTS).single()))

    # side records: survey rounds, meeting snapshots -------------------------------
    def write_side_records(self, records: Sequence[Record], *, actor: str | None = None) -> None:
        rows = [
            {**dict(zip(("kind", "round", "org"), side_key(r), strict=True)), "body": audit_json(r["body"])}
            for r in records
        ]

        def work(tx: ManagedTransaction, log: list[Record]) -> None:
            kinds = {r["kind"] for r in records}  # only the kinds written: not every survey link
            existing = {side_key(r): r for kind in kinds for r in _side_rows(tx, kind, None)}
            log.extend(side_entries(records, existing))
            tx.run(q.WRITE_SIDE_RECORDS, rows=rows).consume()

        self._write(work, actor)

    def side_records(self, kind: str, round_id: str | None = None) -> list[Record]:
        return self._read(lambda tx: _side_rows(tx, kind, round_id))

    def audit(
        self,
        limit: int | None = 100,
        since: str | None = None,
        kind: str | None = None,
        key: str | None = None,
        after_seq: int | None = None,
    ) -> list[Record]:
        params = {
            "since": since,
            "kind": kind,
            "key": key,
            "after": after_seq,
            "limit": 2**62 if limit is None else limit,
        }
        return self._read(lambda tx: [audit_record(r["entry"]) for r in tx.run(q.AUDIT_ENTRIES, **params)])

    def check(self) -> list[str]:
        problems = []
        try:
            present = {
                r["name"]
                for query in q.SHOW_SCHEMA_NAMES
                for r in self.driver.execute_query(query, database_=self.database).records
            }
        except Neo4jError as e:
            raise StoreError(f"cannot list the constraints of Neo4j at {self.uri}: {_first_line(e)}") from e
        problems += [
            f"constraint or index {name} is missing (run `coalition init`)"
            for name in q.SCHEMA_NAMES
            if name not in present
        ]
        done = {r["name"] for r in self._run(lambda session: session.execute_read(_applied_migrations))}
        pending = [name for name, _ in q.MIGRATIONS if name not in done]
        if pending:
            problems.append(f"migrations not applied: {', '.join(pending)} (run `coalition init` to upgrade)")
            if "0001_initial" in pending:
                return problems

        def work(tx: ManagedTransaction) -> list[str]:
            found = []
            for query in q.CHECKS:
                found += [r["problem"] for r in tx.run(query).fetch(q.PER_CHECK)]
            return found

        return problems + self._run(lambda session: session.execute_read(work))


def _side_rows(tx: ManagedTransaction, kind: str | None, round_id: str | None) -> list[Record]:
    return [
        {"kind": r["kind"], "round": r["round"], "org": r["org"], "body": json.loads(r["body"])}
        for r in tx.run(q.SIDE_RECORDS, kind=kind, round=round_id)
    ]


def _retire_map(tx: ManagedTransaction) -> None:
    """Empty the map in ``tx`` (see ``CLEAR``); the audit trail stays."""
    stage = uuid4().hex
    for statement in q.CLEAR:
        tx.run(statement, stage=stage).consume()


def _applied_migrations(tx: ManagedTransaction) -> list[Any]:
    return list(tx.run(q.APPLIED_MIGRATIONS))


def _first_line(error: Exception) -> str:
    text = getattr(error, "message", None) or str(error) or type(error).__name__
    return text.strip().splitlines()[0]
