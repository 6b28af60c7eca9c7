"""One organization's profile as an audience may see it: its fields, its ties with the
partners' names, simple measures, what the whole-map analyses say about it, and the
introductions it is part of.

The dashboard's profile and ``coalition org show`` both show this one dict, so they
never disagree. It is built only from a view ``coalition.domain.privacy`` redacted for
the audience, and from analyses of such a view, so nothing in it can name an
organization, tie or contact the audience may not see.
"""

from __future__ import annotations

from typing import Any

from coalition.analysis.gaps import gaps_for_store
from coalition.domain.errors import NotFound
from coalition.domain.freshness import Freshness
from coalition.domain.privacy import read_view
from coalition.domain.vocabulary import term_words
from coalition.i18n import _
from coalition.introductions.recommend import introductions_for_store
from graph.store import Store

__all__ = ["SUGGESTIONS", "organization_profile", "profile_from_view"]

#: How many of the best suggestions are searched for those with the organization.
SUGGESTIONS = 100


def organization_profile(
    store: Store, org_id: str, audience: str, *, analyses: bool = True, freshness: Freshness | None = None
) -> dict[str, Any]:
    """The profile of ``org_id`` for the audience, read from the store.

    ``analyses`` runs the gap analysis and the recommender over the whole map (both
    cached per store version) for brokerage, findings and suggested introductions;
    without it the profile holds what the map itself says. Raises ``NotFound`` when the
    organization does not exist or the audience may not see it (the same sentence, so
    the answer never tells a hidden organization from a missing one).
    """
    view = read_view(store, audience)
    gaps = gaps_for_store(store, audience, freshness=freshness) if analyses else None
    suggested = introductions_for_store(store, audience, top=SUGGESTIONS, freshness=freshness) if analyses else None
    return profile_from_view(view, org_id, gaps=gaps, suggested=suggested)


def profile_from_view(
    view: dict[str, Any],
    org_id: str,
    *,
    gaps: dict[str, Any] | None = None,
    suggested: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The profile of ``org_id`` from an audience view, and optionally that audience's gap
    report and ranked suggestions (pure: the dashboard passes its cached ones).

    Keys: ``organization`` (its fields as the view holds them), ``audience``, ``ties``
    (each tie with ``partner`` and ``partner_name``), ``measures`` (``ties`` and
    ``summed_strength``, conflicts not counted), ``brokerage`` (its broker measures, or
    None), ``findings`` (sentences from the gap report), ``introductions`` (tracked ones,
    then suggested ones not tracked yet, each with ``partner`` and ``partner_name``) and
    ``analysed`` (whether a gap report was given).
    """
    names = {o["id"]: o["name"] for o in view["organizations"]}
    organization = next((o for o in view["organizations"] if o["id"] == org_id), None)
    if organization is None:
        raise NotFound(_("no organization with id '{organization}'").format(organization=org_id))
    ties = [
        _with_partner(t, org_id, names, "source", "target") for t in view["ties"] if _has(t, org_id, "source", "target")
    ]
    return {
        "organization": dict(organization),
        "audience": view.get("audience"),
        "ties": ties,
        "measures": _measures(ties),
        "brokerage": _brokerage(gaps, org_id),
        "findings": _findings(gaps, org_id, names),
        "introductions": _introductions(view, org_id, suggested or [], names),
        "analysed": gaps is not None,
    }


def _has(record: dict[str, Any], org_id: str, one: str, other: str) -> bool:
    return org_id in (record[one], record[other])


def _with_partner(record: dict[str, Any], org_id: str, names: dict[str, str], one: str, other: str) -> dict[str, Any]:
    partner = record[other] if record[one] == org_id else record[one]
    return {**record, "partner": partner, "partner_name": names.get(partner, "")}


def _measures(ties: list[dict[str, Any]]) -> dict[str, int]:
    """Ties and summed strength, as the map sizes organizations: a conflict is not
    working together, so it does not count."""
    working = [t for t in ties if t["kind"] != "conflict"]
    return {"ties": len(working), "summed_strength": sum(int(t.get("strength") or 3) for t in working)}


def _brokerage(gaps: dict[str, Any] | None, org_id: str) -> dict[str, Any] | None:
    broker = next((b for b in (gaps or {}).get("brokers", []) if b["org"] == org_id), None)
    if broker is None:
        return None
    return {
        "betweenness": broker.get("betweenness"),
        "constraint": broker.get("constraint"),
        "roles": broker.get("roles") or {},
    }


def _findings(gaps: dict[str, Any] | None, org_id: str, names: dict[str, str]) -> list[str]:
    """What the gap report says about the organization, in sentences."""
    if gaps is None:
        return []
    findings = [i["explanation"] for i in gaps.get("single_points_of_failure", []) if i.get("org") == org_id]
    findings += [
        _("On the edge: {why}").format(why=i["why"])
        for i in gaps.get("isolated_community_led", [])
        if i["org"] == org_id
    ]
    matches = gaps.get("needs_offers", [])
    findings += [
        # TRANSLATORS: {nearness} is "same region", "shared language", "elsewhere"...
        _("Needs {resource}: {organization} offers it ({nearness})").format(
            resource=term_words(m["resource"]),
            organization=names.get(m["offers"], m["offers"]),
            nearness=_(m["nearness"]) if m.get("nearness") else "",  # stored in English, shown translated
        )
        for m in matches
        if m["needs"] == org_id
    ]
    findings += [
        _("Offers {resource} to {organization}, who needs it").format(
            resource=term_words(m["resource"]), organization=names.get(m["needs"], m["needs"])
        )
        for m in matches
        if m["offers"] == org_id
    ]
    return findings


def _introductions(
    view: dict[str, Any], org_id: str, suggested: list[dict[str, Any]], names: dict[str, str]
) -> list[dict[str, Any]]:
    """Tracked introductions with the organization, then suggested ones not tracked yet."""
    tracked = [i for i in view["introductions"] if _has(i, org_id, "a", "b")]
    pairs = {(i["a"], i["b"]) for i in tracked}
    fresh = [s for s in suggested if _has(s, org_id, "a", "b") and (s["a"], s["b"]) not in pairs]
    return [_with_partner(i, org_id, names, "a", "b") for i in tracked + fresh]
