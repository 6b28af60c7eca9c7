"""The map page's filters and measures, as pure functions of an audience view.

They only ever narrow a view that ``coalition.domain.privacy`` already redacted, so nothing
here can reveal what the audience may not see.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Iterable
from datetime import date
from typing import Any

__all__ = ["COMMUNITY_CHOICES", "filter_map", "measures", "regions"]

COMMUNITY_CHOICES = ("all organizations", "community-led only", "allies and others only")


def regions(view: dict[str, Any]) -> list[str]:
    """Regions named by the visible organizations, sorted."""
    return sorted({o["region"] for o in view["organizations"] if o.get("region")})


def measures(view: dict[str, Any]) -> dict[str, dict[str, float]]:
    """Sizes the map can use, per organization: ties (degree) and summed tie strength.

    Conflict ties are not counted: a conflict is not working together.
    """
    degree: Counter = Counter()
    strength: Counter = Counter()
    for tie in view["ties"]:
        if tie["kind"] == "conflict":
            continue
        for end in (tie["source"], tie["target"]):
            degree[end] += 1
            strength[end] += int(tie.get("strength") or 3)
    ids = [o["id"] for o in view["organizations"]]
    return {
        "ties": {i: float(degree[i]) for i in ids},
        "strength": {i: float(strength[i]) for i in ids},
    }


def filter_map(
    view: dict[str, Any],
    *,
    movements: Iterable[str] = (),
    regions: Iterable[str] = (),
    tie_kinds: Iterable[str] = (),
    min_strength: int = 1,
    active_from: date | None = None,
    active_until: date | None = None,
    community_led: str = COMMUNITY_CHOICES[0],
    search: str = "",
    focus: str | None = None,
    steps: int = 1,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The organizations and ties the filters keep.

    Empty selections keep everything. A tie is kept when its kind is selected, its
    strength is at least ``min_strength`` and it was active at some point of the date
    range (a tie without dates counts as active). With ``focus``, only the organizations
    within ``steps`` ties of it (through kept ties) remain; the focus itself always does.

    >>> v = {"organizations": [{"id": "a", "name": "A", "movements": ["x"]},
    ...                        {"id": "b", "name": "B", "movements": ["y"]}],
    ...      "ties": [{"source": "a", "target": "b", "kind": "coalition", "strength": 2}]}
    >>> [o["id"] for o in filter_map(v, movements=["x"])[0]]
    ['a']
    """
    movements, regions, tie_kinds = set(movements), set(regions), set(tie_kinds)
    needle = search.strip().lower()
    orgs = []
    for org in view["organizations"]:
        if org["id"] != focus:
            if movements and not movements & set(org.get("movements", [])):
                continue
            if regions and org.get("region") not in regions:
                continue
            if community_led == COMMUNITY_CHOICES[1] and not org.get("community_led"):
                continue
            if community_led == COMMUNITY_CHOICES[2] and org.get("community_led"):
                continue
            if needle and needle not in org["name"].lower() and needle not in org["id"]:
                continue
        orgs.append(org)
    kept = {o["id"] for o in orgs}
    ties = [
        t
        for t in view["ties"]
        if t["source"] in kept
        and t["target"] in kept
        and (not tie_kinds or t["kind"] in tie_kinds)
        and int(t.get("strength") or 3) >= min_strength
        and _active(t, active_from, active_until)
    ]
    if focus and focus in kept:
        near = _within(focus, ties, steps)
        orgs = [o for o in orgs if o["id"] in near]
        ties = [t for t in ties if t["source"] in near and t["target"] in near]
    return orgs, ties


def _active(tie: dict[str, Any], start: date | None, end: date | None) -> bool:
    since, until = _day(tie.get("since")), _day(tie.get("until"))
    if end is not None and since is not None and since > end:
        return False
    if start is not None and until is not None and until < start:
        return False
    return True


def _day(value: Any) -> date | None:
    if not value:
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _within(start: str, ties: list[dict[str, Any]], steps: int) -> set[str]:
    neighbours: dict[str, set[str]] = {}
    for tie in ties:
        neighbours.setdefault(tie["source"], set()).add(tie["target"])
        neighbours.setdefault(tie["target"], set()).add(tie["source"])
    seen = {start: 0}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        if seen[node] >= steps:
            continue
        for other in neighbours.get(node, ()):
            if other not in seen:
                seen[other] = seen[node] + 1
                queue.append(other)
    return set(seen)
