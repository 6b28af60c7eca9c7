"""Import, gaps and introductions end to end through the CLI, on maps of every shape,
each beside a baseline measured in the same run.

For each map of the grid (organizations x ties per organization x profile; see
``bench/shapes.py``) this writes the CSV folder, then times, each in its own process:

- ``coalition import FOLDER`` beside a raw ``sqlite3`` ``executemany`` of the same rows;
- ``coalition gaps --json`` and ``coalition introductions --top 200 --json`` beside a
  plain networkx Adamic-Adar pass over every two-step pair of organizations in different
  movements (read from the raw SQLite file, top 200 kept);

and prints one Markdown table with the ratios (figure / baseline: they hold on a busy
machine where the seconds do not) and each step's peak memory (``ru_maxrss`` of the
child). The table is also written to ``bench/SHAPES.md``. Run from the repository root:

    .venv/bin/python bench/bench_shapes.py                       # the whole grid (long)
    .venv/bin/python bench/bench_shapes.py --sizes 1000,10000 --degrees 2,4   # minutes
    .venv/bin/python bench/bench_shapes.py --sizes 50000 --profiles issue
    .venv/bin/python bench/bench_shapes.py --huge                # adds 200,000 / 1,000,000
    .venv/bin/python bench/bench_shapes.py --sizes '' --huge     # that map alone
    .venv/bin/python bench/bench_shapes.py --sizes 50000 --steps gaps   # no introductions
"""

from __future__ import annotations

import argparse
import csv
import heapq
import json
import os
import platform
import shlex
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from shapes import PROFILES, Shape, write_shape  # noqa: E402

PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable
HUGE = Shape(200_000, 5.0, "issue")
TOP = 200


@dataclass
class Step:
    """One child process: wall seconds, peak memory (MB), and whether it succeeded."""

    seconds: float
    peak_mb: float
    ok: bool = True
    note: str = ""


@dataclass
class Row:
    shape: Shape
    steps: dict[str, Step] = field(default_factory=dict)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,50000", help="organizations per map, comma-separated")
    parser.add_argument("--degrees", default="2,4,8", help="ties per organization, comma-separated")
    parser.add_argument("--profiles", default=",".join(PROFILES), help=f"attribute profiles: {', '.join(PROFILES)}")
    parser.add_argument("--huge", action="store_true", help="also run 200,000 organizations / 1,000,000 ties")
    parser.add_argument("--seed", type=int, default=0, help="seed of the generated maps")
    parser.add_argument(
        "--steps", default="gaps,introductions", help="what to run after the import (always run): gaps, introductions"
    )
    parser.add_argument("--timeout", type=float, default=3600, help="seconds before a step is given up")
    parser.add_argument("--keep", type=Path, help="keep the maps and stores in this folder")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "SHAPES.md", help="where to save the table")
    parser.add_argument("--append", action="store_true", help="add the table to --out instead of replacing it")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)  # a baseline, in its own process
    args = parser.parse_args()
    if args.child:
        {"raw-import": _raw_import, "aa": _adamic_adar}[args.child[0]](*args.child[1:])
        return
    shapes = [
        Shape(int(size), float(degree), profile, args.seed)
        for size in filter(None, args.sizes.split(","))  # --sizes '' --huge: the huge map alone
        for degree in args.degrees.split(",")
        for profile in args.profiles.split(",")
    ]
    if args.huge:
        shapes.append(Shape(HUGE.organizations, HUGE.ties_per_org, HUGE.profile, args.seed))
    startup = {  # what every row pays before any work: the interpreter and the imports
        "cli": _timed([PYTHON, "-m", "coalition", "--help"], args.timeout).seconds,
        "baseline": _timed([PYTHON, "-c", "import networkx, sqlite3"], args.timeout).seconds,
    }
    rows = []
    with tempfile.TemporaryDirectory(prefix="coalition-shapes-") as scratch:
        base = args.keep or Path(scratch)
        for shape in shapes:
            rows.append(run_shape(shape, base / _slug(shape), args.timeout, set(args.steps.split(","))))
            print(_line(rows[-1]), file=sys.stderr, flush=True)
    command = "python bench/bench_shapes.py " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    section = render(rows, command, startup)
    print(section)
    if args.append and args.out.exists():
        text = args.out.read_text(encoding="utf-8").rstrip("\n") + "\n\n" + section
    else:
        text = HEAD + "\n\n" + section
    args.out.write_text(text, encoding="utf-8")


def run_shape(shape: Shape, folder: Path, timeout: float, steps: set[str]) -> Row:
    """Generate one map, import it, and time the steps asked for, each beside its baseline."""
    csv_dir, raw_db, db = folder / "csv", folder / "raw.db", folder / "coalition.db"
    for stale in (raw_db, db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        stale.unlink(missing_ok=True)
    write_shape(csv_dir, shape)
    row = Row(shape)
    me = [PYTHON, str(Path(__file__).resolve()), "--child"]
    cli = [PYTHON, "-m", "coalition", "--db", f"sqlite:///{db}"]
    row.steps["raw"] = _timed([*me, "raw-import", str(csv_dir), str(raw_db)], timeout)
    row.steps["import"] = _timed([*cli, "import", str(csv_dir)], timeout)
    if steps & {"gaps", "introductions"}:
        row.steps["aa"] = _timed([*me, "aa", str(raw_db)], timeout, folder / "aa.json")
    if "gaps" in steps:
        row.steps["gaps"] = _timed([*cli, "gaps", "--json"], timeout, folder / "gaps.json")
    if "introductions" in steps:
        row.steps["introductions"] = _timed(
            [*cli, "introductions", "--top", str(TOP), "--json"], timeout, folder / "intro.json"
        )
    return row


def _timed(command: list[str], timeout: float, stdout: Path | None = None) -> Step:
    """Run one child, its stdout to a file (checked to be JSON), and measure it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COALITION_")}
    sink = stdout or Path(os.devnull)
    with sink.open("w") as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        child = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=err, env=env)
        deadline = start + timeout
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                child.kill()
                pid, status, usage = os.wait4(child.pid, 0)
                child.returncode = -9
                return Step(time.perf_counter() - start, usage.ru_maxrss / 1024, ok=False, note="timeout")
            time.sleep(0.02)
        seconds = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        step = Step(seconds, usage.ru_maxrss / 1024)
        if child.returncode != 0:
            err.seek(0)
            tail = err.read().decode(errors="replace").strip().splitlines()
            step.ok, step.note = False, (tail[-1] if tail else "failed")[:120]
    if step.ok and stdout is not None:
        try:
            json.loads(stdout.read_text(encoding="utf-8"))
        except ValueError:
            step.ok, step.note = False, "stdout is not one JSON document"
    return step


# the baselines, each run in its own process (``--child``) ---------------------------
def _raw_import(csv_dir: str, raw_db: str) -> None:
    """Raw sqlite3: every CSV row inserted as text with ``executemany``, one commit."""
    con = sqlite3.connect(raw_db)
    for name in ("movements", "organizations", "ties"):
        path = Path(csv_dir) / f"{name}.csv"
        if not path.exists():
            continue
        with path.open(newline="", encoding="utf-8-sig") as f:
            reader = csv.reader(f)
            header = next(reader)
            if not all(column.isidentifier() for column in header):
                raise SystemExit(f"{path}: unexpected column names {header}")
            # table names from the tuple above, column names checked: nothing else is pasted
            con.execute(f"CREATE TABLE {name} ({', '.join(f'{c} TEXT' for c in header)})")
            con.executemany(f"INSERT INTO {name} VALUES ({', '.join('?' * len(header))})", reader)  # noqa: S608
    con.commit()
    con.close()


def _adamic_adar(raw_db: str) -> None:
    """networkx Adamic-Adar over every two-step pair in different movements; top 200."""
    import networkx as nx

    con = sqlite3.connect(raw_db)
    movements = {org: frozenset(ms.split(";")) for org, ms in con.execute("SELECT id, movements FROM organizations")}
    G = nx.Graph()
    G.add_nodes_from(movements)
    G.add_edges_from(
        (s, t) for s, t, kind in con.execute("SELECT source, target, kind FROM ties") if kind != "conflict"
    )
    con.close()
    pairs = set()
    for w in G:
        around = list(G[w])
        for i, u in enumerate(around):
            for v in around[i + 1 :]:
                if not movements[u] & movements[v] and not G.has_edge(u, v):
                    pairs.add((u, v) if u < v else (v, u))
    best = heapq.nlargest(TOP, nx.adamic_adar_index(G, pairs), key=lambda item: (item[2], item[0], item[1]))
    json.dump({"pairs": len(pairs), "top": [[u, v, round(s, 6)] for u, v, s in best]}, sys.stdout)


# the table ---------------------------------------------------------------------------
COLUMNS = (
    "map (organizations / ties / profile)", "import s", "raw executemany s", "import ratio", "gaps s",
    "AA pass s", "gaps ratio", "introductions s", "intro ratio", "peak MB import / gaps / intro",
)  # fmt: skip


HEAD = "\n".join([
    "# Shapes benchmark",
    "",
    "Each step runs end to end in its own process through the CLI (`python -m coalition --db sqlite:///...`).",
    "Ratios are figure / baseline from the same run. Profiles: " + "; ".join(
        f"`{name}` {p.needs[0]}-{p.needs[1]} needs and offers, {p.languages[0]}-{p.languages[1]} languages, "
        f"{p.two_movements:.0%} in two movements" for name, p in PROFILES.items()
    ) + ".",
])  # fmt: skip


def render(rows: list[Row], command: str, startup: dict[str, float]) -> str:
    """One run's section: how it was made, then its table (``HEAD`` goes above the first)."""
    lines = [
        f"`{command}` on {date.today().isoformat()}; {machine()}.",
        f"Start-up alone (`python -m coalition --help`) took {startup['cli']:.1f} s, the baseline's "
        f"(`python -c 'import networkx, sqlite3'`) {startup['baseline']:.1f} s: on small maps it is most of the ratio.",
        "",
        "| " + " | ".join(COLUMNS) + " |",
        "|" + "|".join("---" if i == 0 else "---:" for i in range(len(COLUMNS))) + "|",
    ]  # fmt: skip
    lines += ["| " + " | ".join(_cells(row)) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _cells(row: Row) -> list[str]:
    s = row.steps

    def sec(key: str) -> str:
        if key not in s:
            return "-"
        return f"{s[key].seconds:.1f}" if s[key].ok else f"{s[key].note} ({s[key].seconds:.0f})"

    def ratio(key: str, base: str) -> str:
        ok = key in s and base in s and s[key].ok and s[base].ok
        return f"{s[key].seconds / s[base].seconds:.1f}x" if ok else "-"

    peaks = " / ".join(f"{s[k].peak_mb:,.0f}" if k in s else "-" for k in ("import", "gaps", "introductions"))
    return [row.shape.label, sec("import"), sec("raw"), ratio("import", "raw"), sec("gaps"), sec("aa"),
            ratio("gaps", "aa"), sec("introductions"), ratio("introductions", "aa"), peaks]  # fmt: skip


def _line(row: Row) -> str:
    return " | ".join(_cells(row))


def _slug(shape: Shape) -> str:
    return f"{shape.organizations}-{shape.ties_per_org:g}-{shape.profile}-{shape.seed}"


def machine() -> str:
    """One line about where the numbers come from."""
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return f"{model}, {usable} cores; Python {platform.python_version()}"


if __name__ == "__main__":
    main()
