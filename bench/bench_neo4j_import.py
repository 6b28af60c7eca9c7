"""Import a generated map into Neo4j two ways and compare: batched (``UNWIND $rows`` in
one transaction, what ``Neo4jStore.write_map`` does) and one query per row (the pattern
the batched path replaces).

Needs a running Neo4j (``make neo4j`` prints its URI). Run from the repository root:

    NEO4J_PASSWORD=coalition-test .venv/bin/python bench/bench_neo4j_import.py \\
        --db neo4j://127.0.0.1:7687 [--orgs 50000] [--ties-per-org 4] [--per-row-orgs 50000]

``--per-row-orgs`` times the per-row path on the first N organizations (and their share
of ties) and scales the time up to the full map when N is smaller; the table says so.
The database is emptied before each run.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import neo4j  # noqa: E402

from coalition.domain.models import DEFAULT_MOVEMENTS  # noqa: E402
from coalition.domain.settings import Settings  # noqa: E402
from graph.neo4j import queries as q  # noqa: E402
from graph.neo4j.rows import org_params, tie_params  # noqa: E402
from graph.neo4j.store import Neo4jStore  # noqa: E402
from graph.records import normalize_organization, normalize_tie  # noqa: E402
from graph.store import now_iso  # noqa: E402
from tests.planted import planted_map  # noqa: E402


def per_row(store: Neo4jStore, orgs: list[dict], ties: list[dict]) -> None:
    """One auto-committed query per organization and per tie."""
    now = now_iso()
    driver = store.driver
    for org in orgs:
        row = normalize_organization(org) | {"created_at": now, "updated_at": now, "version": 1}
        driver.execute_query(q.CREATE_ORGANIZATIONS, rows=[org_params(row)], database_=store.database)
    for tie in ties:
        row = normalize_tie(tie) | {"created_at": now, "updated_at": now, "version": 1}
        driver.execute_query(q.CREATE_TIES, rows=[tie_params(row)], database_=store.database)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=os.environ.get("COALITION_DB", "neo4j://127.0.0.1:7687"))
    parser.add_argument("--orgs", type=int, default=50_000)
    parser.add_argument("--ties-per-org", type=float, default=4.0)
    parser.add_argument("--per-row-orgs", type=int, default=None, help="time the per-row path on this many orgs")
    args = parser.parse_args()

    view, _ = planted_map(args.orgs, ties_per_org=args.ties_per_org, seed=0)
    store = Neo4jStore.from_url(args.db, Settings.from_env().neo4j)
    store.init(DEFAULT_MOVEMENTS)
    movements = view["movements"]
    orgs, ties = view["organizations"], view["ties"]

    store.clear()
    start = time.perf_counter()
    store.write_map(movements=movements, organizations=orgs, ties=ties)
    batched = time.perf_counter() - start
    assert store.counts()["ties"] == len(ties)

    sample = min(args.per_row_orgs or len(orgs), len(orgs))
    sample_ids = {o["id"] for o in orgs[:sample]}
    sample_ties = [t for t in ties if t["source"] in sample_ids and t["target"] in sample_ids]
    store.clear()
    store.write_map(movements=movements)
    start = time.perf_counter()
    per_row(store, orgs[:sample], sample_ties)
    measured = time.perf_counter() - start
    rows_measured = sample + len(sample_ties)
    rows_total = len(orgs) + len(ties)
    one_by_one = measured * rows_total / rows_measured
    store.clear()
    store.close()

    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    print(
        f"machine: {cpu}, {os.cpu_count()} cores; Python {platform.python_version()}; neo4j driver {neo4j.__version__}"
    )
    print(f"map: {len(orgs):,} organizations, {len(ties):,} ties ({rows_total:,} rows)")
    print()
    print("| path | rows timed | seconds | rows/s |")
    print("|---|---|---|---|")
    print(
        f"| batched (UNWIND 5,000 rows, one transaction) | {rows_total:,} | {batched:.1f} | {rows_total / batched:,.0f} |"
    )
    note = "" if rows_measured == rows_total else f" (scaled from {rows_measured:,} rows: {measured:.1f} s)"
    print(f"| one query per row | {rows_measured:,} | {one_by_one:.1f}{note} | {rows_measured / measured:,.0f} |")
    print(f"\nbatched is {one_by_one / batched:.1f}x faster")


if __name__ == "__main__":
    main()
