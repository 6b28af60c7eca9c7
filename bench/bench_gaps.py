"""Time the gaps analysis, part by part, on generated maps of 1k, 10k and 50k organizations.

Maps come from ``tests/planted.py`` (4 ties per organization on average, so 200,000 ties
at 50,000 organizations), built in memory directly as audience views: no store is
involved, only ``coalition.analysis.gaps.analyse_gaps``. Run from the repository root:

    .venv/bin/python bench/bench_gaps.py [--sizes 1000,10000,50000] [--seed 0]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import igraph  # noqa: E402
import networkx  # noqa: E402

from coalition.analysis.gaps import analyse_gaps  # noqa: E402
from tests.planted import planted_map  # noqa: E402

PARTS = (
    ("graph", "build networkx graph + igraph conversion"),
    ("movement_matrix", "movement matrix, missing and weak pairs"),
    ("single_points_of_failure", "articulation points and bridges"),
    ("local_bridges", "local bridges between movements (span)"),
    ("brokerage_roles", "Gould-Fernandez brokerage roles"),
    ("structural_holes", "Burt's constraint + effective size"),
    ("betweenness", "betweenness (igraph; sampled > 5,000)"),
    ("isolated_community_led", "isolated community-led groups"),
    ("needs_offers", "needs and offers"),
    ("silos", "Louvain silos"),
)


def machine() -> str:
    """One line about where the numbers come from."""
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (
        f"{model}; nproc {usable}; Python {platform.python_version()}; "
        f"networkx {networkx.__version__}; igraph {igraph.__version__}"
    )


def run(size: int, seed: int) -> dict[str, float]:
    start = time.perf_counter()
    view, _ = planted_map(size, ties_per_org=4.0, seed=seed)
    timings = {"generate map (not part of the analysis)": time.perf_counter() - start}
    start = time.perf_counter()
    report = analyse_gaps(view, seed=seed, timings=timings)
    timings["total"] = time.perf_counter() - start
    json.dumps(report, allow_nan=False)
    timings["_ties"] = len(view["ties"])
    timings["_sampled"] = report["summary"]["betweenness"]
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,50000", help="organizations per map, comma-separated")
    parser.add_argument("--seed", type=int, default=0, help="seed of the generated maps and the analysis")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    results = {size: run(size, args.seed) for size in sizes}
    print(f"machine: {machine()}")
    header = ["part", *(f"{size:,} orgs / {int(results[size]['_ties']):,} ties" for size in sizes)]
    rows = [(label, key) for key, label in PARTS] + [("total analysis", "total")]
    rows.append(("generate map (not part of the analysis)", "generate map (not part of the analysis)"))
    table = [header] + [[label, *(f"{results[size][key]:.2f} s" for size in sizes)] for label, key in rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    print("| " + " | ".join(cell.ljust(w) for cell, w in zip(table[0], widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in table[1:]:
        cells = [row[0].ljust(widths[0])] + [cell.rjust(w) for cell, w in zip(row[1:], widths[1:], strict=True)]
        print("| " + " | ".join(cells) + " |")
    print("betweenness: " + ", ".join(f"{size:,}: {results[size]['_sampled']}" for size in sizes))


if __name__ == "__main__":
    main()
