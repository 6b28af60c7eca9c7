"""Use cases on one map, shared by the CLI and the dashboard: set up the store, add, edit,
remove and list movements, organizations and ties, and count what is there.

Every function takes a store and validated-or-raw input, validates with the models,
and raises ``CoalitionError`` (or ``StoreError``) with a sentence for people.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from coalition.errors import CoalitionError, InvalidInput, NotFound
from coalition.models import DEFAULT_MOVEMENTS, Movement, Organization, Tie
from coalition.privacy import read_view
from coalition.validation import problems_from
from graph.store import Store

__all__ = [
    "add_movement",
    "add_organization",
    "add_tie",
    "edit_organization",
    "get_organization",
    "init_map",
    "list_movements",
    "list_organizations",
    "list_ties",
    "map_stats",
    "remove_organization",
    "remove_tie",
]


def init_map(store: Store) -> None:
    """Create (or migrate) the store and add the default movements."""
    store.init(DEFAULT_MOVEMENTS)


def _known_movements(store: Store) -> set[str]:
    return {m["id"] for m in store.snapshot("private")["movements"]}


def _validate(model: type, data: dict[str, Any], **context: Any) -> Any:
    try:
        return model.model_validate(data, context=context or None)
    except ValidationError as e:
        raise InvalidInput(problems_from(e)) from e


# movements -------------------------------------------------------------------------
def add_movement(store: Store, data: dict[str, Any]) -> Movement:
    """Add a movement; its id comes from the name when absent."""
    movement = _validate(Movement, data)
    if movement.id in _known_movements(store):
        raise CoalitionError(f"movement {movement.id!r} already exists")
    store.write_map(movements=[movement.to_record()])
    return movement


def list_movements(store: Store, audience: str = "private") -> list[dict[str, Any]]:
    """Movements with how many organizations (visible to the audience) belong to each."""
    view = read_view(store, audience)
    counts = _movement_counts(view)
    return [{**m, "organizations": counts.get(m["id"], 0)} for m in view["movements"]]


# organizations ---------------------------------------------------------------------
def get_organization(store: Store, org_id: str) -> dict[str, Any]:
    """One organization (any visibility: callers decide who may see it)."""
    record = store.get_organization(org_id)
    if record is None:
        raise NotFound(f"no organization with id {org_id!r}")
    return record


def add_organization(store: Store, data: dict[str, Any]) -> Organization:
    """Add a new organization; refuses an id that is taken."""
    org = _validate(Organization, data, movements=_known_movements(store))
    if store.get_organization(org.id) is not None:
        raise CoalitionError(f"an organization with id {org.id!r} already exists; use edit to change it")
    store.write_map(organizations=[org.to_record()])
    return org


def edit_organization(store: Store, org_id: str, changes: dict[str, Any]) -> Organization:
    """Change some fields of an organization; unknown fields are refused."""
    current = get_organization(store, org_id)
    unknown = sorted(set(changes) - set(Organization.model_fields) - {"id"})
    if unknown:
        raise CoalitionError(f"unknown field {unknown[0]!r}; fields: {', '.join(Organization.model_fields)}")
    if changes.get("id", org_id) != org_id:
        raise CoalitionError("an organization's id never changes (other maps and ties refer to it)")
    org = _validate(Organization, {**current, **changes}, movements=_known_movements(store))
    store.write_map(organizations=[org.to_record()])
    return Organization.model_validate(store.get_organization(org_id))


def remove_organization(store: Store, org_id: str) -> int:
    """Remove an organization with its ties; returns how many ties went with it."""
    get_organization(store, org_id)
    return store.delete_organization(org_id)


def list_organizations(
    store: Store, audience: str = "private", movement: str | None = None, search: str | None = None
) -> list[dict[str, Any]]:
    """Organizations the audience may see, optionally of one movement or matching text."""
    orgs = read_view(store, audience)["organizations"]
    if movement:
        orgs = [o for o in orgs if movement in o["movements"]]
    if search:
        needle = search.lower()
        orgs = [o for o in orgs if needle in o["name"].lower() or needle in o["id"]]
    return orgs


# ties ------------------------------------------------------------------------------
def add_tie(store: Store, data: dict[str, Any]) -> Tie:
    """Add or update a tie between two existing organizations."""
    tie = _validate(Tie, data)
    for end in (tie.source, tie.target):
        get_organization(store, end)
    store.write_map(ties=[tie.to_record()])
    return tie


def remove_tie(store: Store, source: str, target: str, kind: str | None = None) -> int:
    """Remove ties between two organizations (one kind, or all); refuses when none exist."""
    removed = store.delete_tie(source, target, kind)
    if removed == 0:
        what = f"{kind} tie" if kind else "tie"
        raise NotFound(f"no {what} between {source!r} and {target!r}")
    return removed


def list_ties(store: Store, audience: str = "private", org: str | None = None) -> list[dict[str, Any]]:
    """Ties the audience may see, optionally those of one organization."""
    ties = read_view(store, audience)["ties"]
    if org:
        ties = [t for t in ties if org in (t["source"], t["target"])]
    return ties


# stats -----------------------------------------------------------------------------
def map_stats(store: Store, audience: str = "private") -> dict[str, Any]:
    """The numbers of ``coalition stats --json`` for what the audience may see.

    A tie is cross-movement when its two organizations share no movement; conflict ties
    are counted as ties but never as cross-movement work.
    """
    view = read_view(store, audience)
    movements_of = {o["id"]: set(o["movements"]) for o in view["organizations"]}
    cross = sum(
        1 for t in view["ties"] if t["kind"] != "conflict" and not movements_of[t["source"]] & movements_of[t["target"]]
    )
    counts = _movement_counts(view)
    return {
        "organizations": len(view["organizations"]),
        "ties": len(view["ties"]),
        "movements": {m["id"]: counts.get(m["id"], 0) for m in view["movements"]},
        "community_led": sum(1 for o in view["organizations"] if o["community_led"]),
        "cross_movement_ties": cross,
    }


def _movement_counts(view: dict[str, Any]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for org in view["organizations"]:
        for movement in org["movements"]:
            counts[movement] = counts.get(movement, 0) + 1
    return counts
