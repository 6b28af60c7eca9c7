"""Crash safety: ``coalition import`` killed with SIGKILL while it writes a large map
leaves the store exactly as it was (map, versions, audit trail), and ``check`` finds
nothing wrong, on SQLite and on Neo4j.

The kill comes at several points of the write transaction, found from outside the
process, with no hook in the code under test:

- SQLite: the write-ahead log grows while the transaction runs (SQLite spills pages of
  an uncommitted transaction into it), so the import is killed when the ``-wal`` file
  passes a few sizes; the next opener ignores the uncommitted frames.
- Neo4j: the server lists running statements (``SHOW TRANSACTIONS``), so the import is
  killed when it is staging organizations, then ties, then audit entries (each batch
  committed, but invisible until the switch-over), and when its own transaction is
  switching them over; the server rolls back the transaction of the dead connection,
  and what was staged stays invisible until the next write deletes it.

Both maps are the same size (30,000 organizations, 100,000 ties): the test server runs
with a 1 GB heap, which a staged import fits.
"""

from __future__ import annotations

import csv
import os
import random
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from coalition.maps import services
from coalition.maps.integrity import check
from coalition.maps.transfer import load_demo
from graph.sqlite.store import SQLiteStore
from graph.store import Store, acting_as

MOVEMENTS = ["housing", "migrant", "disability", "queer_trans", "sex_work"]
WAIT = 120  # seconds a kill point may take to come


def write_big_map(folder: Path, organizations: int, ties: int, seed: int = 7) -> Path:
    """A generated map of new organizations (none in the demo) as CSV files."""
    rng = random.Random(seed)
    folder.mkdir(parents=True)
    with open(folder / "organizations.csv", "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["id", "name", "movements", "kind", "community_led", "region", "languages", "visibility", "notes"])
        for i in range(organizations):
            out.writerow(
                [f"big_{i}", f"Generated group {i}", rng.choice(MOVEMENTS), "collective", rng.random() < 0.5,
                 f"region_{i % 40}", "English;Spanish", rng.choice(["public", "coalition", "private"]), "a note " * 6]
            )  # fmt: skip
    pairs: set[tuple[int, int]] = set()
    with open(folder / "ties.csv", "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["source", "target", "kind", "strength", "visibility"])
        while len(pairs) < ties:
            a, b = rng.randrange(organizations), rng.randrange(organizations)
            if a != b and (a, b) not in pairs:
                pairs.add((a, b))
                out.writerow([f"big_{a}", f"big_{b}", "coalition", rng.randint(1, 5), "coalition"])
    return folder


def prepare(store: Store) -> None:
    """The store before the import: the demo, one edit and one removal (so the audit
    trail and the versions have something to lose)."""
    with acting_as("test:setup"):
        load_demo(store)
        services.edit_organization(store, "riverside_tenants_union", {"region": "eastport"})
        services.remove_tie(store, "riverside_tenants_union", "hill_district_housing_alliance")


def import_and_kill(url: str, folder: Path, cwd: Path, ready: Callable[[float], bool]) -> float:
    """Start ``coalition import``, SIGKILL it as soon as ``ready(elapsed)`` says so, and
    return the elapsed time. Fails when the import ends before the kill point."""
    process = subprocess.Popen(
        [sys.executable, "-m", "coalition", "--db", url, "import", str(folder)],
        cwd=cwd, env={k: v for k, v in os.environ.items() if k != "COALITION_DB"},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    start = time.monotonic()
    try:
        while time.monotonic() - start < WAIT:
            if process.poll() is not None:
                out, err = process.communicate()
                pytest.fail(f"the import ended (exit {process.returncode}) before the kill point: {out} {err}")
            if ready(time.monotonic() - start):
                process.kill()
                process.wait()
                return time.monotonic() - start
            time.sleep(0.01)
        pytest.fail(f"no kill point within {WAIT} s")
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_killed_sqlite_import_leaves_the_store_as_before(tmp_path: Path) -> None:
    path = tmp_path / "map.db"
    store = SQLiteStore(path)
    services.init_map(store)
    prepare(store)
    before = store.dump()
    store.close()  # the last connection folds the WAL back in, so its size starts at zero
    folder = write_big_map(tmp_path / "big", 30_000, 100_000)
    wal = Path(f"{path}-wal")

    def wal_over(megabytes: float) -> Callable[[float], bool]:
        return lambda _: wal.exists() and wal.stat().st_size > megabytes * 2**20

    for name, ready in [
        ("while reading and validating", lambda elapsed: elapsed > 1.0),
        ("as the write begins", wal_over(1)),
        ("while writing ties", wal_over(16)),
        ("late in the write", wal_over(40)),
    ]:
        import_and_kill(f"sqlite:///{path}", folder, tmp_path, ready)
        after = SQLiteStore(path)
        try:
            assert after.dump() == before, f"killed {name}: the store changed"
            assert check(after) == [], f"killed {name}"
        finally:
            after.close()


def test_killed_neo4j_import_leaves_the_store_as_before(neo4j_store: Store, tmp_path: Path) -> None:
    prepare(neo4j_store)
    before = neo4j_store.dump()
    folder = write_big_map(tmp_path / "big", 30_000, 100_000)
    seen: list[str] = []

    def running(fragment: str) -> Callable[[float], bool]:
        def ready(_: float) -> bool:
            queries = _running_queries(neo4j_store)
            seen.extend(queries)
            return any(fragment in query for query in queries)

        return ready

    for name, ready in [
        ("while reading and validating", lambda elapsed: elapsed > 1.0),
        ("while staging organizations", running("CREATE (o:StagedOrganization")),
        ("while staging ties", running("CREATE (s)-[t:TIE")),
        ("while staging the audit trail", running("CREATE (a:AuditEntry)")),
        ("while switching over", running("REMOVE o:StagedOrganization")),
    ]:
        import_and_kill(neo4j_store.uri, folder, tmp_path, ready)
        _wait_until_rolled_back(neo4j_store)
        assert neo4j_store.dump() == before, f"killed {name}: the store changed"
        assert check(neo4j_store) == [], f"killed {name}"


def _running_queries(store: Store) -> list[str]:
    """The statements the server is running for other clients."""
    records = store.driver.execute_query(
        "SHOW TRANSACTIONS YIELD currentQuery WHERE NOT currentQuery STARTS WITH 'SHOW' RETURN currentQuery",
        database_=store.database,
    ).records
    return [r["currentQuery"] or "" for r in records]


def _wait_until_rolled_back(store: Store) -> None:
    """The server rolls back a dead client's transaction when it notices; wait for it."""
    deadline = time.monotonic() + WAIT
    while any("UNWIND $rows" in query or "StagedOrganization" in query for query in _running_queries(store)):
        assert time.monotonic() < deadline, "the killed import's transaction is still running"
        time.sleep(0.1)
