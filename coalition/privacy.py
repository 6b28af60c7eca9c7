"""What an audience may see: the single place where a store snapshot becomes a view.

The store already leaves out organizations and ties above the audience (so they are
never loaded). This module finishes the job for everything derived from them: contact
details, introduction brokers, and stored introduction reasons that name a hidden
organization. Every view, analysis and export starts from ``view_for``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from graph.store import Store, visible_levels

__all__ = ["view_for", "can_see", "read_view"]


def can_see(audience: str, visibility: str) -> bool:
    """True when something of this visibility may be shown to the audience."""
    return visibility in visible_levels(audience)


def read_view(store: Store, audience: str) -> dict[str, Any]:
    """The store's map as the audience may see it, from one consistent read."""
    full = store.snapshot("private")
    return view_for(full, audience, hidden_names=_hidden_names(full, audience))


def view_for(snapshot: dict[str, Any], audience: str, hidden_names: Iterable[str] = ()) -> dict[str, Any]:
    """Redact a snapshot for an audience.

    ``hidden_names`` are ids and names of organizations the audience may not see; any
    stored introduction reason that mentions one is withheld. ``withheld`` counts what
    was left out (counts, never content) so exports can say so.
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
    ties = [
        dict(t)
        for t in snapshot["ties"]
        if t["source"] in visible_ids and t["target"] in visible_ids and can_see(audience, t["visibility"])
    ]
    hidden = [name.lower() for name in hidden_names if name]
    introductions = []
    for intro in snapshot["introductions"]:
        if intro["a"] not in visible_ids or intro["b"] not in visible_ids:
            continue
        intro = dict(intro)
        if intro.get("broker") and intro["broker"] not in visible_ids:
            intro["broker"] = None
        intro["reasons"] = [r for r in intro.get("reasons", []) if not any(h in r.lower() for h in hidden)]
        if hidden and any(h in (intro.get("note") or "").lower() for h in hidden):
            intro["note"] = ""
        introductions.append(intro)
    return {
        "movements": [dict(m) for m in snapshot["movements"]],
        "organizations": organizations,
        "ties": ties,
        "introductions": introductions,
        "version": snapshot.get("version"),
        "audience": audience,
        "withheld": {
            "organizations": len(snapshot["organizations"]) - len(organizations),
            "ties": len(snapshot["ties"]) - len(ties),
            "introductions": len(snapshot["introductions"]) - len(introductions),
        },
    }


def _hidden_names(full: dict[str, Any], audience: str) -> list[str]:
    return [
        text for o in full["organizations"] if not can_see(audience, o["visibility"]) for text in (o["id"], o["name"])
    ]
