"""Published networks of organizations (and close kin) as evaluation maps, split in time.

Each loader reads the small copy under ``bench/data/<name>/`` (source, licence and
conversion in its README.md) and maps the records onto our organization records
honestly: the movement is a real grouping in the data, other attributes are filled only
where the data has them, and everything the data lacks is left empty (no languages,
needs or offers, nobody marked community-led). Real data have no consent or capacity:
every organization consents and takes three introductions a month, the same for every
method.

- ``delta_science``: organizations that worked on the same Sacramento-San Joaquin Delta
  science project (Delta Science Tracker). Movement: the organization type the tracker
  records (state and local government, university, federal government, NGO,
  consultant). Issues: the science and management themes of its projects started by
  the cut-off. Map: projects started up to 2015; truth: first joint projects 2016-2022.
- ``parlgov_cabinets``: political parties that governed together in a cabinet (ParlGov,
  37 democracies). Movement: the party family; region: the country. Map: cabinets formed
  up to 2004 among parties in parliament 1990-2004; truth: first coalitions 2005-2020.
- ``atop_alliances``: states with a formal alliance (ATOP 5.1: defence, offence,
  neutrality, non-aggression or consultation pledges). Movement: the world region of the
  Correlates of War state code. Map: alliances up to 1994 (ended ones marked ended);
  truth: first alliances 1995-2016.
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from datetime import date
from itertools import combinations
from pathlib import Path
from typing import Any

from splits import Event, Split, organization, slug, split_in_time

__all__ = ["DATA", "LOADERS", "atop_alliances", "delta_science", "load_all", "parlgov_cabinets"]

DATA = Path(__file__).resolve().parent / "data"


def _rows(name: str, file: str) -> list[dict[str, str]]:
    with open(DATA / name / file, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _movements(labels: dict[str, str]) -> list[dict[str, str]]:
    return [{"id": m, "name": label, "color": "#777777"} for m, label in sorted(labels.items())]


# Delta Science Tracker -------------------------------------------------------------------
def delta_science(cutoff: int = 2015, horizon: int = 2022, earlier: int = 2009) -> Split:
    """Organizations on joint Delta science projects (see the module docstring)."""
    orgs = {r["org_id"]: r for r in _rows("delta_science", "organizations.csv")}
    projects = {r["project_id"]: r for r in _rows("delta_science", "projects.csv") if r["start_year"]}
    members: dict[str, list[str]] = defaultdict(list)
    for r in _rows("delta_science", "participations.csv"):
        if r["project_id"] in projects and r["org_id"] in orgs:
            members[r["project_id"]].append(r["org_id"])
    events = []
    for pid, ids in members.items():
        start = date(int(projects[pid]["start_year"]), 1, 1)
        for a, b in combinations(sorted(set(ids)), 2):
            events.append(Event(f"dst_{a}", f"dst_{b}", start, strength=3, kind="joint_campaign"))
    labels = {slug(o["org_type"]): o["org_type"] for o in orgs.values()}

    def orgs_at(day: date) -> list[dict[str, Any]]:
        themes: dict[str, set[str]] = defaultdict(set)
        for pid, ids in members.items():
            if int(projects[pid]["start_year"]) <= day.year:
                for org_id in ids:
                    themes[org_id].update(t for t in projects[pid]["themes"].split(";") if t)
        return [
            organization(f"dst_{o}", orgs[o]["name"], [slug(orgs[o]["org_type"])], issues=sorted(themes[o]))
            for o in sorted(themes)
        ]

    return split_in_time(
        "Delta Science Tracker (orgs)",
        "real",
        orgs_at,
        events,
        _movements(labels),
        date(cutoff, 12, 31),
        date(horizon, 12, 31),
        date(earlier, 12, 31),
    )


# ParlGov --------------------------------------------------------------------------------
def parlgov_cabinets(cutoff: int = 2004, horizon: int = 2020, earlier: int = 1994, window: int = 15) -> Split:
    """Parties that governed together (see the module docstring). A party is in the map
    at a date when it sat in parliament at a cabinet formed in the ``window`` years
    before it; placeholders without a party family are left out."""
    parties = {
        r["party_id"]: r
        for r in _rows("parlgov_cabinets", "parties.csv")
        if r["family"] not in ("no family", "to be coded")
    }
    rows = [r for r in _rows("parlgov_cabinets", "cabinet_parties.csv") if r["party_id"] in parties]
    cabinets: dict[str, list[str]] = defaultdict(list)
    started: dict[str, date] = {}
    for r in rows:
        started[r["cabinet_id"]] = date.fromisoformat(r["start_date"])
        if r["in_cabinet"] == "1":
            cabinets[r["cabinet_id"]].append(r["party_id"])
    events = [
        Event(f"pg_{a}", f"pg_{b}", started[cid], strength=3, kind="coalition")
        for cid, ids in cabinets.items()
        for a, b in combinations(sorted(set(ids)), 2)
    ]
    labels = {slug(p["family"]): p["family"] for p in parties.values()}

    def orgs_at(day: date) -> list[dict[str, Any]]:
        since = date(day.year - window, day.month, day.day)
        active = {r["party_id"] for r in rows if since < date.fromisoformat(r["start_date"]) <= day}
        return [
            organization(
                f"pg_{p}",
                f"{parties[p]['short_name']} ({parties[p]['country']})",
                [slug(parties[p]["family"])],
                region=parties[p]["country"],
                kind="coalition",
            )
            for p in sorted(active, key=int)
        ]

    return split_in_time(
        "ParlGov cabinet coalitions (parties)",
        "real",
        orgs_at,
        events,
        _movements(labels),
        date(cutoff, 12, 31),
        date(horizon, 12, 31),
        date(earlier, 12, 31),
    )


# ATOP -----------------------------------------------------------------------------------
#: World regions by Correlates of War state code.
COW_REGIONS = (
    (200, "Americas"),
    (400, "Europe"),
    (600, "Africa"),
    (700, "Middle East"),
    (900, "Asia"),
    (1000, "Oceania"),
)


def cow_region(ccode: int) -> str:
    return next(label for upper, label in COW_REGIONS if ccode < upper)


def atop_alliances(cutoff: int = 1994, horizon: int = 2016, earlier: int = 1979) -> Split:
    """States with formal alliances (see the module docstring)."""
    states = {int(r["ccode"]): r for r in _rows("atop_alliances", "states.csv")}
    events = []
    for r in _rows("atop_alliances", "alliance_spells.csv"):
        a, b = int(r["ccode1"]), int(r["ccode2"])
        if a in states and b in states:
            start, end = int(r["start_year"]), int(r["end_year"])
            events.append(Event(f"cow_{a:03d}", f"cow_{b:03d}", date(start, 1, 1), date(end, 12, 31), 3, "mou"))
    labels = {slug(label): label for _, label in COW_REGIONS}

    def orgs_at(day: date) -> list[dict[str, Any]]:
        return [
            organization(f"cow_{c:03d}", s["name"], [slug(cow_region(c))], kind="coalition")
            for c, s in sorted(states.items())
            if int(s["start_year"]) <= day.year <= int(s["end_year"])
        ]

    return split_in_time(
        "ATOP formal alliances (states)",
        "real",
        orgs_at,
        events,
        _movements(labels),
        date(cutoff, 12, 31),
        date(horizon, 12, 31),
        date(earlier, 12, 31),
    )


LOADERS = {"delta_science": delta_science, "parlgov_cabinets": parlgov_cabinets, "atop_alliances": atop_alliances}


def load_all() -> list[Split]:
    return [load() for load in LOADERS.values()]


def describe(split: Split) -> dict[str, Any]:
    """Sizes of a split, for the README tables."""
    movements = Counter(m for o in split.view["organizations"] for m in o["movements"])
    return {
        "organizations": len(split.view["organizations"]),
        "ties in map": len(split.view["ties"]),
        "new ties after cut-off": len(split.new_ties),
        "truth (across groups)": len(split.truth),
        "groups": len(movements),
    }
