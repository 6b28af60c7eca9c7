"""How long the introduction recommender takes on a large map, stage by stage: the top 200
on a generated map of 50,000 organizations and 200,000 ties (a shape of
``bench/shapes.py``), imported through the CLI into a throw-away SQLite file; each run
reads it back and redacts it for the coalition audience, as ``coalition introductions``
does.

Run: ``python bench/bench_introductions.py [--orgs N] [--ties M] [--profile P] [--top K]
[--runs R]``. Prints the machine, then a table (seconds; the best of ``--runs`` runs per
stage). The whole command, against its baseline, is in ``bench/bench_shapes.py``.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import igraph  # noqa: E402
import networkx  # noqa: E402
import numpy  # noqa: E402
from evaluate_introductions import markdown  # noqa: E402
from shapes import PROFILES, Shape, write_shape  # noqa: E402

from coalition.domain.privacy import hidden_names, view_for  # noqa: E402
from coalition.introductions.recommend import recommend  # noqa: E402
from graph.sqlite.store import SQLiteStore  # noqa: E402

TODAY = date(2026, 6, 15)
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
    parser.add_argument("--profile", choices=sorted(PROFILES), default="issue")
    parser.add_argument("--top", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    print(machine())
    shape = Shape(args.orgs, args.ties / args.orgs, args.profile, args.seed)
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        write_shape(Path(folder) / "csv", shape)
        db = Path(folder) / "bench.db"
        command = [sys.executable, "-m", "coalition", "--db", f"sqlite:///{db}", "import", str(Path(folder) / "csv")]
        subprocess.run(command, check=True, capture_output=True, cwd=ROOT)
        print(f"{shape.label}: generated and imported in {time.perf_counter() - started:.1f} s")
        store = SQLiteStore(db)
        runs = []
        for _ in range(args.runs):
            timings: dict[str, float] = {}
            started = time.perf_counter()
            view = _read(store, "coalition")
            timings["read and redact (SQLite)"] = time.perf_counter() - started
            rows = recommend(view, top=args.top, today=TODAY, timings=timings)
            timings["total"] = time.perf_counter() - started
            runs.append(timings)
        store.close()
    print()
    stages = [stage for stage in (*STAGES, "total") if stage in runs[0]]
    print(markdown([{"stage": stage, "seconds": f"{min(r[stage] for r in runs):.2f}"} for stage in stages]))
    warm = sum(1 for r in rows if r["broker"])
    print(f"\n{len(rows)} suggestions ({warm} warm, {len(rows) - warm} cold); best of {args.runs} runs")


def _read(store: SQLiteStore, audience: str) -> dict[str, Any]:
    """What ``introductions_for_store`` reads: one snapshot, redacted for the audience."""
    full = store.snapshot()
    return view_for(full, audience, hidden_names=hidden_names(full, audience))


if __name__ == "__main__":
    main()
