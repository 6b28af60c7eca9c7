"""How long the introduction recommender takes on a large map: the top 200 on a
generated map of 50,000 organizations and 200,000 ties, time per stage.

Run: ``python bench/bench_introductions.py [--orgs N] [--ties M] [--top K] [--runs R]
[--sqlite]``. Prints the machine, then a table (seconds; the best of ``--runs`` runs per
stage). With ``--sqlite`` the map is first written to a throw-away SQLite file and each
run starts by reading it back and redacting it for the coalition audience, as
``coalition introductions`` does.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import igraph  # noqa: E402
import networkx  # noqa: E402
import numpy  # noqa: E402
from evaluate_introductions import TODAY, generate_map, print_table  # noqa: E402

from coalition.domain.privacy import hidden_names, view_for  # noqa: E402
from coalition.introductions.recommend import recommend  # noqa: E402
from graph.sqlite.store import SQLiteStore  # noqa: E402

STAGES = (
    "read and redact (SQLite)", "index", "communities", "candidates", "model", "scores", "placement",
    "brokers and reasons",
)  # fmt: skip


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f", {int(line.split()[1]) / 1024**2:.0f} GB RAM"
                break
    except OSError:
        pass
    return (
        f"{cpu}, {os.cpu_count()} CPUs{memory}; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}, numpy {numpy.__version__}, networkx {networkx.__version__}, "
        f"igraph {igraph.__version__}"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orgs", type=int, default=50_000)
    parser.add_argument("--ties", type=int, default=200_000)
    parser.add_argument("--top", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--sqlite", action="store_true", help="read the map from a SQLite file in each run")
    args = parser.parse_args(argv)
    print(machine())
    started = time.perf_counter()
    view = generate_map(args.orgs, args.ties, args.seed)
    print(f"generated {len(view['organizations'])} organizations, {len(view['ties'])} ties "
          f"in {time.perf_counter() - started:.1f} s (seed {args.seed})")  # fmt: skip
    with tempfile.TemporaryDirectory() as folder:
        store = None
        if args.sqlite:
            started = time.perf_counter()
            store = SQLiteStore(Path(folder) / "bench.db")
            store.init(view["movements"])
            extra = {"access": "", "contact": "", "notes": ""}
            store.write_map(organizations=[{**o, **extra} for o in view["organizations"]], ties=view["ties"])
            print(f"written to SQLite in {time.perf_counter() - started:.1f} s")
        runs = []
        for _ in range(args.runs):
            timings: dict[str, float] = {}
            started = time.perf_counter()
            source = view
            if store is not None:
                source = _read(store, "coalition")
                timings["read and redact (SQLite)"] = time.perf_counter() - started
            rows = recommend(source, top=args.top, today=TODAY, timings=timings)
            timings["total"] = time.perf_counter() - started
            runs.append(timings)
        if store is not None:
            store.close()
    print()
    stages = [stage for stage in (*STAGES, "total") if stage in runs[0]]
    print_table([{"stage": stage, "seconds": min(r[stage] for r in runs)} for stage in stages])
    warm = sum(1 for r in rows if r["broker"])
    print(f"\n{len(rows)} suggestions ({warm} warm, {len(rows) - warm} cold); best of {args.runs} runs")


def _read(store: SQLiteStore, audience: str) -> dict[str, Any]:
    """What ``introductions_for_store`` reads: one snapshot, redacted for the audience."""
    full = store.snapshot()
    return view_for(full, audience, hidden_names=hidden_names(full, audience))


if __name__ == "__main__":
    main()
