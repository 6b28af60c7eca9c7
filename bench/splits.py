"""A map split in time: the ties up to a cut-off date are the map the methods see, the
new ties after it are the truth they are scored against.

Every evaluation map, real or generated, is a list of dated tie events and a way to
describe the organizations active at a date. ``split_in_time`` turns them into a
``Split``: the private view at the cut-off (what the recommender and every baseline
read), the truth (new ties after the cut-off, up to a horizon, between organizations
that share no movement), every new tie (any groups: for the reliability table), and a
second, earlier split of the same data (cut-off ``earlier``, horizon the main cut-off)
on which the supervised baselines learn. Nothing dated after a split's cut-off is ever
written into its view.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

__all__ = ["Event", "Pair", "Split", "organization", "pair", "slug", "split_in_time"]

Pair = tuple[str, str]


def pair(a: str, b: str) -> Pair:
    """The unordered pair as the recommender reports it (``a < b``)."""
    return (a, b) if a < b else (b, a)


@dataclass(frozen=True)
class Event:
    """One tie between two organizations, from ``start`` (to ``end`` when it ended)."""

    a: str
    b: str
    start: date
    end: date | None = None
    strength: int = 3
    kind: str = "coalition"


@dataclass
class Split:
    """One evaluation map (see the module docstring)."""

    name: str
    kind: str  # "real" or "generated"
    view: dict[str, Any]
    today: date
    truth: set[Pair]
    new_ties: set[Pair]
    earlier: Split | None = None
    #: For generated maps: ``ceiling(ix) -> (u, v, score)``, the generator's own tie
    #: propensity for untied pairs (positions in the index ``ix``).
    ceiling: Callable[[Any], tuple[Any, Any, Any]] | None = None
    notes: dict[str, Any] = field(default_factory=dict)


def split_in_time(
    name: str,
    kind: str,
    orgs_at: Callable[[date], list[dict[str, Any]]],
    events: list[Event],
    movements: list[dict[str, str]],
    cutoff: date,
    horizon: date,
    earlier: date | None = None,
    ceiling: Callable[[Any], tuple[Any, Any, Any]] | None = None,
) -> Split:
    """Cut ``events`` at ``cutoff`` (see the module docstring).

    ``orgs_at(d)`` gives the organization records of the map at date ``d`` (only those
    active then, with attributes known by then). A new tie counts only when both ends
    are in the map at the cut-off and the pair had no tie of any kind up to it.
    """
    orgs = orgs_at(cutoff)
    known = {o["id"] for o in orgs}
    movements_of = {o["id"]: set(o.get("movements") or []) for o in orgs}
    ties, tied, first_after = [], set(), {}
    for e in sorted(events, key=lambda e: (e.start, e.a, e.b)):
        if e.a not in known or e.b not in known or e.a == e.b:
            continue
        p = pair(e.a, e.b)
        if e.start <= cutoff:
            tied.add(p)
            ended = e.end is not None and e.end < cutoff
            ties.append(
                {
                    "source": e.a,
                    "target": e.b,
                    "kind": e.kind,
                    "strength": e.strength,
                    "since": e.start.isoformat(),
                    "until": e.end.isoformat() if ended else None,
                    "visibility": "public",
                    "notes": "",
                }
            )
        elif e.start <= horizon and e.kind != "conflict":
            first_after.setdefault(p, e.start)
    new_ties = {p for p in first_after if p not in tied}
    truth = {p for p in new_ties if not movements_of[p[0]] & movements_of[p[1]]}
    view = {"movements": movements, "organizations": orgs, "ties": ties, "introductions": [], "audience": "private"}
    inner = None
    if earlier is not None:
        inner = split_in_time(name, kind, orgs_at, events, movements, earlier, cutoff)
    return Split(name, kind, view, cutoff, truth, new_ties, inner, ceiling)


def organization(org_id: str, name: str, movements: list[str], **attributes: Any) -> dict[str, Any]:
    """An organization record with the defaults real data lacks: public, consenting,
    three introductions a month, not marked community-led, no languages, needs or
    offers unless given."""
    record = {
        "id": org_id,
        "name": name,
        "movements": movements,
        "kind": "collective",
        "community_led": False,
        "region": "",
        "languages": [],
        "issues": [],
        "offers": [],
        "needs": [],
        "contact": "",
        "contact_visibility": "private",
        "visibility": "public",
        "consent_to_introductions": True,
        "intro_capacity_per_month": 3,
    }
    record.update(attributes)
    return record


def slug(text: str) -> str:
    """A movement id from a group label ("State & Local Government" -> "state_local_government")."""
    out = "".join(c.lower() if c.isalnum() else "_" for c in text.strip())
    return "_".join(part for part in out.split("_") if part) or "none"
