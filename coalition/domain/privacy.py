"""What an audience may see: the single place where a store snapshot becomes a view.

A store returns the whole map; this module makes each audience's view of it: it leaves
out organizations and ties above the audience, and everything derived from them: contact
details, introduction brokers, and stored introduction reasons that name a hidden
organization. Every view, analysis and export starts from ``view_for``.

With ``anonymize=True`` an organization the audience may not see is not dropped but
replaced by a neutral stand-in ("a community-led sex_work group (hidden-2)"): a fresh
opaque id ``hidden-N``, its first movement and whether it is community-led, and nothing
else (no name, id, region, languages, issues, offers, needs, contact, notes, kind or
timestamps; it never consents to introductions). Its current, non-conflict ties to
visible organizations that the audience may see are kept with neutral data (kind
coalition, strength 3, no dates, no notes); ties between two hidden organizations,
conflicts and ended ties are dropped. Stand-ins are numbered in a random order drawn
afresh for every view, so they are stable within one export and cannot be matched
across two.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from graph.store import Store, visible_levels

__all__ = ["view_for", "can_see", "hidden_names", "read_view", "STAND_IN_PREFIX"]

#: Ids of anonymous stand-ins: ``hidden-1``, ``hidden-2``...
STAND_IN_PREFIX = "hidden-"


def can_see(audience: str, visibility: str) -> bool:
    """True when something of this visibility may be shown to the audience."""
    return visibility in visible_levels(audience)


def read_view(store: Store, audience: str, anonymize: bool = False) -> dict[str, Any]:
    """The store's map as the audience may see it, from one consistent read."""
    full = store.snapshot()
    return view_for(full, audience, hidden_names=hidden_names(full, audience), anonymize=anonymize)


def view_for(
    snapshot: dict[str, Any],
    audience: str,
    hidden_names: Iterable[str] = (),
    *,
    anonymize: bool = False,
    seed: int | None = None,
    today: date | None = None,
) -> dict[str, Any]:
    """Redact a snapshot for an audience.

    ``hidden_names`` are ids, names and former names of organizations the audience may
    not see; any stored introduction reason, introduction note, tie note or tie
    provenance (an import file's name) that mentions one is withheld, and the public
    never sees a tie's provenance. ``withheld`` counts what
    the audience may not see (counts, never content) so exports can say so; with
    ``anonymize`` (see the module docstring) ``anonymized`` counts the stand-ins and
    neutral ties among them. ``seed`` fixes the stand-ins' numbering (tests only);
    ``today`` decides which ties have ended.
    """
    visible_ids = {o["id"] for o in snapshot["organizations"] if can_see(audience, o["visibility"])}
    organizations = []
    for org in snapshot["organizations"]:
        if org["id"] not in visible_ids:
            continue
        org = dict(org)
        if not can_see(audience, org.get("contact_visibility", "private")):
            org["contact"] = ""
        organizations.append(org)
    names_hidden = _matcher(hidden_names)
    ties = []
    for tie in snapshot["ties"]:
        if tie["source"] in visible_ids and tie["target"] in visible_ids and can_see(audience, tie["visibility"]):
            tie = dict(tie)
            if names_hidden(tie.get("notes")):
                tie["notes"] = ""
            if tie.get("provenance") and (audience == "public" or names_hidden(tie["provenance"])):
                tie["provenance"] = ""  # how the coalition keeps its map is not for the public
            ties.append(tie)
    introductions = []
    for intro in snapshot["introductions"]:
        if intro["a"] not in visible_ids or intro["b"] not in visible_ids:
            continue
        intro = dict(intro)
        if intro.get("broker") and intro["broker"] not in visible_ids:
            intro["broker"] = None
        intro["reasons"] = [r for r in intro.get("reasons", []) if not names_hidden(r)]
        if names_hidden(intro.get("note")):
            intro["note"] = ""
        introductions.append(intro)
    withheld = {
        "organizations": len(snapshot["organizations"]) - len(organizations),
        "ties": len(snapshot["ties"]) - len(ties),
        "introductions": len(snapshot["introductions"]) - len(introductions),
    }
    stand_ins, neutral_ties = (
        _stand_ins(snapshot, audience, visible_ids, seed, today or date.today()) if anonymize else ([], [])
    )
    return {
        "movements": [dict(m) for m in snapshot["movements"]],
        "organizations": organizations + stand_ins,
        "ties": ties + neutral_ties,
        "introductions": introductions,
        "version": snapshot.get("version"),
        "audience": audience,
        "withheld": withheld,
        "anonymized": {"organizations": len(stand_ins), "ties": len(neutral_ties)},
    }


def _matcher(names: Iterable[str]) -> Callable[[str | None], bool]:
    """A test for text naming any of ``names`` (case-insensitive), one regex pass per text.

    The regex is compiled on the first non-empty text only: with tens of thousands of
    hidden names compiling takes most of a second (0.65 s for 30,000 names)."""
    wanted = sorted({name.lower() for name in names if name}, key=len, reverse=True)
    compiled: list[re.Pattern[str]] = []

    def names_one(text: str | None) -> bool:
        if not text or not wanted:
            return False
        if not compiled:
            compiled.append(re.compile("|".join(re.escape(name) for name in wanted), re.IGNORECASE))
        return compiled[0].search(text) is not None

    return names_one


def _stand_ins(
    snapshot: dict[str, Any], audience: str, visible_ids: set[str], seed: int | None, today: date
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Neutral stand-ins for the hidden organizations and their ties to visible ones."""
    hidden = [o for o in snapshot["organizations"] if o["id"] not in visible_ids]
    numbers = list(range(1, len(hidden) + 1))
    (random.Random(seed) if seed is not None else random.SystemRandom()).shuffle(numbers)
    prefix = STAND_IN_PREFIX
    while any(org_id.startswith(prefix) for org_id in visible_ids):  # never clash with a real id
        prefix = prefix[:-1] + "x-"
    new_id = {org["id"]: f"{prefix}{n}" for org, n in zip(hidden, numbers, strict=True)}
    stand_ins = []
    for org in hidden:
        movement = (org.get("movements") or ["other"])[0]
        led = bool(org.get("community_led"))
        what = f"community-led {movement}" if led else movement
        article = "an" if what[:1] in "aeiou" else "a"
        stand_ins.append({
            "id": new_id[org["id"]], "name": f"{article} {what} group ({new_id[org['id']]})",
            "movements": [movement], "kind": "other", "community_led": led, "region": "", "languages": [],
            "issues": [], "offers": [], "needs": [], "access": "", "contact": "", "contact_visibility": "private",
            "visibility": audience, "consent_to_introductions": False, "intro_capacity_per_month": 0, "notes": "",
            "created_at": None, "updated_at": None, "version": 1,
        })  # fmt: skip
    stand_ins.sort(key=lambda o: int(o["id"].removeprefix(prefix)))
    neutral, seen = [], set()
    for tie in snapshot["ties"]:
        ends = (tie["source"], tie["target"])
        if (
            sum(end in visible_ids for end in ends) != 1
            or not can_see(audience, tie["visibility"])
            or tie["kind"] == "conflict"
            or (tie.get("until") and str(tie["until"]) < today.isoformat())
        ):
            continue
        source, target = (new_id.get(end, end) for end in ends)
        if frozenset(ends) in seen:  # several ties between one pair become one neutral tie
            continue
        seen.add(frozenset(ends))
        neutral.append({
            "source": source, "target": target, "kind": "coalition", "strength": 3, "since": None, "until": None,
            "visibility": audience, "notes": "", "created_at": None, "updated_at": None, "version": 1,
        })  # fmt: skip
    return stand_ins, neutral


def hidden_names(full: dict[str, Any], audience: str) -> list[str]:
    """Ids, names and former names of the organizations the audience may not see, for
    ``view_for``: a reason or note written before a rename still names the group."""
    former = full.get("former_names") or {}
    return [
        text
        for o in full["organizations"]
        if not can_see(audience, o["visibility"])
        for text in (o["id"], o["name"], *former.get(o["id"], ()))
    ]
