"""Rebuild the small copies under ``bench/data/`` from the published files.

Nothing here downloads anything: give it a folder holding the published files (see each
data set's README.md for where they come from) and it writes the compact CSVs the
evaluation reads. It is kept so that anyone can check how a shipped copy was made.

    python bench/data/convert.py RAW_FOLDER

RAW_FOLDER must hold:

- ``view_cabinet.csv`` and ``view_party.csv`` (ParlGov main views);
- ``atop_alliance.csv`` and ``cow_states.csv`` (ATOP 5.1 directed dyad-years and the
  Correlates of War state list, as exported from the ``peacesciencer`` R package's
  ``atop_alliance`` and ``cow_states`` tables);
- ``edgelist_twomode.csv`` and ``nodelist_twomode.csv`` (Delta Science Tracker, from
  UC Davis DataLab's network visualization workshop).
"""

from __future__ import annotations

import csv
import sys
from collections import defaultdict
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent


def parlgov(raw: Path) -> None:
    out = HERE / "parlgov_cabinets"
    out.mkdir(exist_ok=True)
    families = {}
    with open(raw / "view_party.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            families[row["party_id"]] = row
    rows, used = [], set()
    with open(raw / "view_cabinet.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            start = datetime.strptime(row["start_date"], "%d/%m/%Y").date().isoformat()
            rows.append(
                (
                    row["cabinet_id"],
                    row["country_name_short"],
                    start,
                    row["party_id"],
                    row["cabinet_party"],
                    row["seats"],
                )
            )
            used.add(row["party_id"])
    rows.sort(key=lambda r: (r[2], int(r[0]), int(r[3])))
    with open(out / "cabinet_parties.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["cabinet_id", "country", "start_date", "party_id", "in_cabinet", "seats"])
        w.writerows(rows)
    with open(out / "parties.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["party_id", "country", "short_name", "name", "family", "left_right"])
        for pid in sorted(used, key=int):
            p = families.get(pid)
            if p is None:
                continue
            w.writerow(
                [
                    pid,
                    p["country_name_short"],
                    p["party_name_short"],
                    p["party_name_english"],
                    p["family_name"],
                    p["left_right"],
                ]
            )


def atop(raw: Path) -> None:
    out = HERE / "atop_alliances"
    out.mkdir(exist_ok=True)
    years: dict[tuple[int, int], set[int]] = defaultdict(set)
    with open(raw / "atop_alliance.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            a, b = int(float(row["ccode1"])), int(float(row["ccode2"]))
            pledged = any(float(row[k] or 0) > 0 for k in row if k.startswith("atop_"))
            if pledged and a != b:
                years[(min(a, b), max(a, b))].add(int(float(row["year"])))
    with open(out / "alliance_spells.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["ccode1", "ccode2", "start_year", "end_year"])
        for (a, b), ys in sorted(years.items()):
            ordered = sorted(ys)
            start = prev = ordered[0]
            for y in ordered[1:] + [None]:
                if y is not None and y == prev + 1:
                    prev = y
                    continue
                w.writerow([a, b, start, prev])
                if y is not None:
                    start = prev = y
    states: dict[int, list] = {}
    with open(raw / "cow_states.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            c = int(float(row["ccode"]))
            span = (int(float(row["styear"])), int(float(row["endyear"])))
            if c in states:
                states[c][3] = min(states[c][3], span[0])
                states[c][4] = max(states[c][4], span[1])
            else:
                states[c] = [c, row["stateabb"], row["statenme"], span[0], span[1]]
    with open(out / "states.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["ccode", "abbrev", "name", "start_year", "end_year"])
        w.writerows(states[c] for c in sorted(states))


def delta(raw: Path) -> None:
    out = HERE / "delta_science"
    out.mkdir(exist_ok=True)
    with open(raw / "nodelist_twomode.csv", newline="", encoding="utf-8") as f:
        nodes = list(csv.DictReader(f))
    themes = [k for k in nodes[0] if k.startswith(("sci_", "mgmt_"))]
    with open(out / "organizations.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["org_id", "name", "org_type"])
        for n in nodes:
            if n["mode"] == "1":
                w.writerow([n["id"], n["name"], n["org_type"]])
    with open(out / "projects.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["project_id", "start_year", "end_year", "themes"])
        for n in nodes:
            if n["mode"] == "0":
                tags = [t for t in themes if n[t] == "TRUE"]
                w.writerow([n["id"], _year(n["startdate"]), _year(n["enddate"]), ";".join(tags)])
    with open(raw / "edgelist_twomode.csv", newline="", encoding="utf-8") as f:
        edges = list(csv.DictReader(f))
    with open(out / "participations.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["org_id", "project_id", "role"])
        for e in edges:
            w.writerow([e["org_id"], e["project_id"], e["collaborative_role"]])


def _year(value: str) -> str:
    return "" if value in ("", "NA") else str(int(float(value)))


if __name__ == "__main__":
    folder = Path(sys.argv[1])
    parlgov(folder)
    atop(folder)
    delta(folder)
