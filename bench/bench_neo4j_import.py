"""Import one generated CSV folder through the CLI into SQLite and into Neo4j, and compare.

Issue 14 asks a 50,000-organization / 200,000-tie import to fit a Neo4j server's default
1 GB heap, all or nothing, in at most 3 times the SQLite import's time. Both imports run
end to end as a user runs them (``python -m coalition --db URL import FOLDER``, into a
fresh store), one after the other on the same folder (``bench/shapes.py``), so the ratio
holds on a busy machine. The table gives the server's maximum heap as the server reports it.

Needs a running Neo4j (``tools/neo4j-server/start.sh PORT``, 1 GB heap by default), whose
database is emptied first. Run from the repository root:

    NEO4J_PASSWORD=coalition-test .venv/bin/python bench/bench_neo4j_import.py \\
        --db neo4j://127.0.0.1:7687 [--orgs 50000] [--ties-per-org 4] [--profile issue]
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import neo4j  # noqa: E402

from bench.shapes import PROFILES, Shape, write_shape  # noqa: E402
from coalition.domain.settings import Settings  # noqa: E402
from graph.neo4j.store import Neo4jStore  # noqa: E402

HEAP = "CALL dbms.queryJmx('java.lang:type=Memory') YIELD attributes RETURN attributes.HeapMemoryUsage.value.properties AS heap"


def cli(*args: str) -> float:
    """Run the CLI; return its wall time in seconds (and stop on any failure)."""
    env = {k: v for k, v in os.environ.items() if k != "COALITION_DB"}
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "coalition", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"`coalition {' '.join(args)}` failed: {done.stderr.strip()}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=os.environ.get("COALITION_DB", "neo4j://127.0.0.1:7687"), help="Neo4j URL")
    parser.add_argument("--orgs", type=int, default=50_000, help="organizations in the map")
    parser.add_argument("--ties-per-org", type=float, default=4.0, help="ties per organization")
    parser.add_argument("--profile", default="issue", choices=sorted(PROFILES), help="attributes (bench/shapes.py)")
    args = parser.parse_args()

    store = Neo4jStore.from_url(args.db, Settings.from_env().neo4j)
    store.init(())
    store.clear()
    heap = store.driver.execute_query(HEAP, database_=store.database).records[0]["heap"]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "map"
        shape = Shape(args.orgs, args.ties_per_org, args.profile)
        counts = write_shape(folder, shape)
        sqlite_url = f"sqlite:///{Path(tmp) / 'map.db'}"
        cli("--db", sqlite_url, "init")
        sqlite_s = cli("--db", sqlite_url, "import", str(folder))
        neo4j_s = cli("--db", args.db, "import", str(folder))
    stored = store.counts()
    assert (stored["organizations"], stored["ties"]) == (counts["organizations"], counts["ties"]), stored
    store.clear()
    store.close()

    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    print(f"machine: {cpu}, {os.cpu_count()} cores; Python {platform.python_version()}; driver {neo4j.__version__}")
    print(f"map: {shape.label} ({counts['organizations']:,} organizations, {counts['ties']:,} ties)")
    print(f"Neo4j heap: max {_mb(heap['max'])} (in use after the clear: {_mb(heap['used'])})")
    print()
    print("| store | `coalition import` s | ratio to SQLite |")
    print("|---|---:|---:|")
    print(f"| SQLite | {sqlite_s:.1f} | 1.0x |")
    print(f"| Neo4j (staged, one switch-over transaction) | {neo4j_s:.1f} | {neo4j_s / sqlite_s:.1f}x |")


def _mb(value: int) -> str:
    return f"{value / 2**20:,.0f} MB"


if __name__ == "__main__":
    main()
