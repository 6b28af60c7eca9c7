"""What encryption at rest costs: the same maps as a plain file and as a SQLCipher file.

For each size (a CSV folder from ``bench/shapes.py``, profile "issue"), the time to
import it into a new map, to read the whole map back (what every dashboard page and
analysis starts from), to run ``coalition check``, and to convert the plain file with
``coalition encrypt`` (copy, check, rename). Plain and encrypted runs alternate; the best
of ``--runs`` is printed.

Run: ``python bench/bench_encryption.py [--sizes 1000 10000 50000] [--runs 2]``.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from evaluate_introductions import markdown  # noqa: E402
from shapes import Shape, write_shape  # noqa: E402

from coalition.maps import services  # noqa: E402
from coalition.maps.encryption import convert  # noqa: E402
from coalition.maps.integrity import check  # noqa: E402
from coalition.maps.transfer import import_map  # noqa: E402
from graph.sqlite.cipher import Passphrase  # noqa: E402
from graph.sqlite.store import SQLiteStore  # noqa: E402

KEY = Passphrase("a benchmark passphrase")


def timed(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def one_run(csv_folder: Path, scratch: Path, key: Passphrase | None) -> dict[str, float]:
    path = scratch / ("encrypted.db" if key else "plain.db")
    for leftover in scratch.glob(path.name + "*"):
        leftover.unlink()
    store = SQLiteStore(path, passphrase=key)
    services.init_map(store)
    figures = {"import": timed(lambda: import_map(store, csv_folder))}
    figures["read map"] = timed(store.snapshot)
    figures["check"] = timed(lambda: check(store))
    store.close()
    if key is None:
        figures["encrypt"] = timed(lambda: convert(path, None, KEY))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 50000])
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as temp:
        for size in args.sizes:
            shape = Shape(size, 4.0)
            folder = Path(temp) / f"map-{size}"
            write_shape(folder, shape)
            best: dict[str, dict[str, float]] = {"plain": {}, "encrypted": {}}
            for _ in range(args.runs):
                for label, key in (("plain", None), ("encrypted", KEY)):
                    for name, seconds in one_run(folder, Path(temp), key).items():
                        best[label][name] = min(seconds, best[label].get(name, seconds))
            for name in ("import", "read map", "check"):
                plain, encrypted = best["plain"][name], best["encrypted"][name]
                rows.append({"map (orgs / ties / profile)": shape.label, "step": name, "plain s": f"{plain:.2f}",
                             "encrypted s": f"{encrypted:.2f}", "ratio": f"{encrypted / plain:.2f}"})  # fmt: skip
            rows.append({"map (orgs / ties / profile)": shape.label, "step": "coalition encrypt",
                         "plain s": "", "encrypted s": f"{best['plain']['encrypt']:.2f}", "ratio": ""})  # fmt: skip
            shutil.rmtree(folder)
    print(markdown(rows))


if __name__ == "__main__":
    main()
