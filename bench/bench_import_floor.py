"""How fast could a first import into this schema be at all? A floor for issue 14's target.

A stripped first import of a CSV folder (``bench/shapes.py``) into a fresh SQLite file with
the store's own schema: pyarrow's CSV reader, each distinct list text parsed once,
validation reduced to distinct values and known ends, no near-duplicate name matching,
the secondary indexes built after the load, and one audit entry per record made by SQLite
from the new rows (the store's own statement). What ``coalition import`` does beyond this
costs more, never less, so this is a floor; beside it, the raw ``executemany`` of
``bench/bench_shapes.py`` (the target's baseline), the floor without audit entries, and
both again with the loosest SQLite settings a new file allows (``PRAGMAS``).

Run: ``python bench/bench_import_floor.py FOLDER [--runs R]`` (a folder from
``bench/shapes.py``, e.g. one kept with ``bench_shapes.py --keep``). Prints a table of
seconds, the best of ``--runs`` alternating runs.
"""

from __future__ import annotations

import argparse
import csv
import json
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_shapes import _raw_import  # noqa: E402
from evaluate_introductions import markdown  # noqa: E402

from graph.records import ORG_FIELDS, TIE_FIELDS  # noqa: E402
from graph.sqlite.rows import _CREATED_SINCE_SQL  # noqa: E402
from graph.sqlite.schema import MIGRATIONS  # noqa: E402

NOW = "2026-12-02T12:00:00+00:00"
SECONDARY_INDEXES = {
    "ties_target": "ties (target)",
    "organizations_visibility": "organizations (visibility)",
    "org_movements_movement": "org_movements (movement_id)",
}
TRUE = {"true": 1, "yes": 1, "1": 1}


def _table(path: Path) -> dict[str, list[str]]:
    """Every column of a CSV file as text, empty cells as ''."""
    names = path.open(encoding="utf-8-sig").readline().strip().split(",")
    options = pacsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=False)
    return pacsv.read_csv(path, convert_options=options).to_pydict()


def _list_texts(column: list[str]) -> list[str]:
    """``a;b`` cells as JSON list text, each distinct cell parsed once."""
    parsed: dict[str, str] = {}
    for cell in set(column):
        parsed[cell] = json.dumps([item.strip() for item in cell.split(";") if item.strip()], ensure_ascii=False)
    return [parsed[cell] for cell in column]


def _rows(folder: Path, timings: dict[str, float]) -> tuple[list, list, list, list]:
    started = time.perf_counter()
    orgs, ties = _table(folder / "organizations.csv"), _table(folder / "ties.csv")
    with (folder / "movements.csv").open(newline="", encoding="utf-8-sig") as f:
        movements = [tuple(row) for row in list(csv.reader(f))[1:]]
    timings["read the CSV files (pyarrow)"] = time.perf_counter() - started

    started = time.perf_counter()
    n, m = len(orgs["id"]), len(ties["source"])
    columns = {field: orgs.get(field) for field in ORG_FIELDS}
    for field in ("languages", "issues", "offers", "needs"):
        columns[field] = _list_texts(orgs[field])
    for field in ("community_led", "consent_to_introductions"):
        columns[field] = [TRUE.get(cell.lower(), 0) for cell in orgs[field]]
    columns["intro_capacity_per_month"] = list(map(int, orgs["intro_capacity_per_month"]))
    columns["contact_visibility"] = ["private"] * n
    columns["created_at"] = columns["updated_at"] = [NOW] * n
    columns["version"] = [1] * n
    org_rows = sorted(zip(*(columns[field] for field in ORG_FIELDS), strict=True))
    memberships = sorted(
        (org, movement, position)
        for org, cell in zip(orgs["id"], orgs["movements"], strict=True)
        for position, movement in enumerate(item for item in cell.split(";") if item)
    )
    tie_columns = {field: ties.get(field) for field in TIE_FIELDS}
    tie_columns["strength"] = list(map(int, ties["strength"]))
    tie_columns["since"] = [cell or None for cell in ties["since"]]
    tie_columns["until"] = [cell or None for cell in ties["until"]]
    tie_columns["created_at"] = tie_columns["updated_at"] = [NOW] * m
    tie_columns["version"] = [1] * m
    tie_rows = sorted(zip(*(tie_columns[field] for field in TIE_FIELDS), strict=True))
    timings["cells to rows (lists, booleans, numbers)"] = time.perf_counter() - started

    started = time.perf_counter()
    ids = set(orgs["id"])
    if len(ids) != n or not (set(ties["source"]) | set(ties["target"])) <= ids:
        raise SystemExit(f"{folder}: repeated ids or ties to unknown organizations")
    for column in (orgs["kind"], orgs["visibility"], orgs["region"], ties["kind"], ties["visibility"]):
        set(column)
    timings["validation (distinct values, known ends)"] = time.perf_counter() - started
    return movements, org_rows, memberships, tie_rows


#: The store's own settings, and the loosest a first import into a new file could use: the
#: ends of each tie checked in Python instead of by foreign keys, the whole load in the page
#: cache, a rollback journal (nothing to copy back from a write-ahead log).
PRAGMAS = {
    "store": {"journal_mode": "WAL", "foreign_keys": "ON", "synchronous": "NORMAL"},
    "loosest": {"journal_mode": "DELETE", "foreign_keys": "OFF", "synchronous": "NORMAL", "cache_size": "-400000"},
}


def floor(folder: Path, db: Path, audit: bool = True, pragmas: str = "store") -> dict[str, float]:
    """The stripped first import, stage by stage (seconds)."""
    timings: dict[str, float] = {}
    movements, org_rows, memberships, tie_rows = _rows(folder, timings)
    conn = sqlite3.connect(db, isolation_level=None)
    for name, value in PRAGMAS[pragmas].items():
        conn.execute(f"PRAGMA {name} = {value}")
    for _, script in MIGRATIONS:
        conn.executescript(script)
    conn.executemany("INSERT OR IGNORE INTO movements (id, name, color) VALUES (?, ?, ?)", movements)

    def step(name: str, work: Callable[[], object]) -> None:
        started = time.perf_counter()
        work()
        timings[name] = time.perf_counter() - started

    org_sql = f"INSERT INTO organizations ({', '.join(ORG_FIELDS)}) VALUES ({', '.join('?' * len(ORG_FIELDS))})"  # noqa: S608
    tie_sql = f"INSERT INTO ties ({', '.join(TIE_FIELDS)}) VALUES ({', '.join('?' * len(TIE_FIELDS))})"  # noqa: S608
    conn.execute("BEGIN")
    for name in SECONDARY_INDEXES:
        conn.execute(f"DROP INDEX {name}")
    step("SQL: organizations", lambda: conn.executemany(org_sql, org_rows))
    step(
        "SQL: movement memberships", lambda: conn.executemany("INSERT INTO org_movements VALUES (?, ?, ?)", memberships)
    )
    step("SQL: ties (primary key, foreign keys)", lambda: conn.executemany(tie_sql, tie_rows))
    step(
        "SQL: secondary indexes built after",
        lambda: [conn.execute(f"CREATE INDEX {name} ON {on}") for name, on in SECONDARY_INDEXES.items()],
    )
    if audit:
        step(
            "SQL: one audit entry per record",
            lambda: [
                conn.execute(_CREATED_SINCE_SQL[kind], {"at": NOW, "actor": "bench", "last": 0})
                for kind in ("organization", "tie")
            ],
        )
    step("SQL: commit", lambda: conn.execute("COMMIT"))
    conn.close()
    return timings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args(argv)
    best: dict[str, float] = {}
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as scratch:
            runs = {
                "raw executemany (the target's baseline)": lambda: _raw_import(str(args.folder), f"{scratch}/raw.db"),
                "floor": lambda: floor(args.folder, Path(scratch) / "floor.db"),
                "floor without audit entries": lambda: floor(args.folder, Path(scratch) / "bare.db", audit=False),
                "floor, loosest settings": lambda: floor(args.folder, Path(scratch) / "loose.db", pragmas="loosest"),
                "floor, loosest settings, without audit entries": lambda: floor(
                    args.folder, Path(scratch) / "loose-bare.db", audit=False, pragmas="loosest"
                ),
            }
            for name, run in runs.items():
                started = time.perf_counter()
                stages = run() or {}
                for stage, seconds in {
                    **(stages if name == "floor" else {}),
                    name: time.perf_counter() - started,
                }.items():
                    best[stage] = min(best.get(stage, float("inf")), seconds)
    raw = best["raw executemany (the target's baseline)"]
    rows = [
        {"step": step, "seconds": f"{seconds:.2f}", "x raw": f"{seconds / raw:.1f}x"} for step, seconds in best.items()
    ]
    print(markdown(rows))


if __name__ == "__main__":
    main()
