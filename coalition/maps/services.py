"""Use cases on one map, shared by the CLI and the dashboard: set up the store, add, edit,
remove and list movements, organizations and ties, and count what is there.

Every function takes a store and validated-or-raw input, validates with the models,
and raises ``CoalitionError`` (or ``StoreError``) with a sentence for people. Writes take
an ``actor`` (who the audit trail names; see ``graph.store.acting_as``) and edits an
``expected_version``: the version the person started from, so that an edit made from a
stale copy is refused (``StaleEdit``) instead of silently overwriting a newer one.

Every use case that checks and then writes does both in one unit of work
(``store.transaction()``): two people adding the same id at once get one organization
and one "already exists", never an overwrite.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import ValidationError

from coalition.domain.errors import CoalitionError, InvalidInput, NotFound, StaleEdit, plain_problems
from coalition.domain.models import DEFAULT_MOVEMENTS, Movement, Organization, Tie
from coalition.domain.privacy import read_view
from coalition.domain.vocabulary import canonical_region, region_spellings
from coalition.i18n import _, ngettext
from coalition.maps.freshness import CLI, stamp_ties
from graph.records import tie_has_ended
from graph.store import BOOKKEEPING, Store, audit_key

__all__ = [
    "add_movement",
    "add_organization",
    "add_tie",
    "counts_in_words",
    "edit_organization",
    "edit_tie",
    "get_organization",
    "init_map",
    "list_movements",
    "list_organizations",
    "list_ties",
    "map_stats",
    "remove_organization",
    "remove_tie",
    "tie_counts",
    "ties_in_words",
    "view_stats",
]


#: Fields whose values a stale-edit message names but never shows.
PRIVATE_FIELDS = ("contact",)


def init_map(store: Store) -> None:
    """Create (or migrate) the store and add the default movements."""
    store.init(DEFAULT_MOVEMENTS)


def _known_movements(snapshot: dict[str, Any]) -> set[str]:
    return {m["id"] for m in snapshot["movements"]}


def _validate(model: type, data: dict[str, Any], **context: Any) -> Any:
    """The model of a record a person typed, or ``InvalidInput`` in plain words."""
    try:
        return model.model_validate(data, context=context or None)
    except ValidationError as e:
        raise InvalidInput(plain_problems(e, data, subject=model.__name__.lower())) from e


def _in_map_spelling(snapshot: dict[str, Any], org: Organization) -> Organization:
    """``org`` with its region spelled as the map's other organizations spell it, so that
    "Eastport" typed in a form joins the region "eastport" instead of starting another.
    The organization's own spelling does not count: an edit may respell a region that
    only it uses."""
    others = (o["region"] for o in snapshot["organizations"] if o["id"] != org.id)
    region = canonical_region(org.region, region_spellings(sorted(others)))
    return org if region == org.region else org.model_copy(update={"region": region})


# movements -------------------------------------------------------------------------
def add_movement(store: Store, data: dict[str, Any], actor: str | None = None) -> Movement:
    """Add a movement; its id comes from the name when absent."""
    movement = _validate(Movement, data)
    with store.transaction():
        if movement.id in _known_movements(store.snapshot()):
            raise CoalitionError(_("movement '{movement}' already exists").format(movement=movement.id))
        store.write_map(movements=[movement.to_record()], actor=actor)
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
        raise NotFound(_("no organization with id '{organization}'").format(organization=org_id))
    return record


def add_organization(store: Store, data: dict[str, Any], actor: str | None = None) -> Organization:
    """Add a new organization; refuses an id that is taken."""
    with store.transaction():
        snapshot = store.snapshot()
        org = _validate(Organization, data, movements=_known_movements(snapshot))
        if store.get_organization(org.id) is not None:
            raise CoalitionError(
                _("an organization with id '{organization}' already exists; use edit to change it").format(
                    organization=org.id
                )
            )
        org = _in_map_spelling(snapshot, org)
        store.write_map(organizations=[org.to_record()], actor=actor)
    return org


def edit_organization(
    store: Store,
    org_id: str,
    changes: dict[str, Any],
    expected_version: int | None = None,
    actor: str | None = None,
) -> Organization:
    """Change some fields of an organization; unknown fields are refused.

    With ``expected_version`` (the version the form or copy was made from), an
    organization changed since is left alone and ``StaleEdit`` says what is newer.
    Without it, the changes are applied to the newest version.
    """
    unknown = sorted(set(changes) - set(Organization.model_fields) - {"id"})
    if unknown:
        raise CoalitionError(
            _("unknown field '{field}'; fields: {fields}").format(
                field=unknown[0], fields=", ".join(Organization.model_fields)
            )
        )
    if changes.get("id", org_id) != org_id:
        raise CoalitionError(_("an organization's id never changes (other maps and ties refer to it)"))
    changes = {k: v for k, v in changes.items() if k not in BOOKKEEPING}
    with store.transaction():
        current = get_organization(store, org_id)
        version = current["version"] if expected_version is None else expected_version
        if current["version"] != version:
            raise _stale(store, "organization", org_id, current["name"], current, version)
        snapshot = store.snapshot()
        org = _validate(Organization, {**current, **changes}, movements=_known_movements(snapshot))
        if "region" in changes:
            org = _in_map_spelling(snapshot, org)
        store.write_map(organizations=[org.to_record()], actor=actor, expected_versions={org_id: version})
        return Organization.model_validate(store.get_organization(org_id))


def remove_organization(store: Store, org_id: str, actor: str | None = None) -> int:
    """Remove an organization with its ties; returns how many ties went with it."""
    with store.transaction():
        get_organization(store, org_id)
        return store.delete_organization(org_id, actor=actor)


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
def add_tie(store: Store, data: dict[str, Any], actor: str | None = None, provenance: str = CLI) -> Tie:
    """Add or update a tie between two existing organizations: confirmed today, with
    ``provenance`` (``form`` or ``cli``) when it is new (``coalition.maps.freshness``)."""
    tie = _validate(Tie, data)
    with store.transaction():
        for end in (tie.source, tie.target):
            get_organization(store, end)
        stored = store.get_tie(tie.source, tie.target, tie.kind)
        record = stamp_ties([tie.to_record()], [stored] if stored else [], provenance, date.today())[0]
        store.write_map(ties=[record], actor=actor)
    return Tie.model_validate(record)


def edit_tie(
    store: Store,
    source: str,
    target: str,
    kind: str,
    changes: dict[str, Any],
    expected_version: int | None = None,
    actor: str | None = None,
) -> Tie:
    """Change some fields of one tie (strength, dates, visibility, notes); its ends and
    kind are its identity and never change, and the edit confirms it today.
    ``expected_version`` works as for ``edit_organization``."""
    fixed = {"source": source, "target": target, "kind": kind}
    unknown = sorted(set(changes) - set(Tie.model_fields))
    if unknown:
        raise CoalitionError(
            _("unknown field '{field}'; fields: {fields}").format(field=unknown[0], fields=", ".join(Tie.model_fields))
        )
    moved = [field for field, value in fixed.items() if changes.get(field, value) != value]
    if moved:
        # TRANSLATORS: {field} is a tie's field as stored: source, target or kind
        raise CoalitionError(
            _("a tie's {field} never changes: remove the tie and add a new one").format(field=moved[0])
        )
    changes = {k: v for k, v in changes.items() if k not in BOOKKEEPING}
    # TRANSLATORS: {kind} is a tie's kind as stored (working_group, funding...); {source} and {target} are ids
    what = _("the {kind} tie {source} -> {target}").format(kind=kind, source=source, target=target)
    with store.transaction():
        current = store.get_tie(source, target, kind)
        if current is None:
            raise NotFound(
                _("no {kind} tie from '{source}' to '{target}'").format(kind=kind, source=source, target=target)
            )
        version = current["version"] if expected_version is None else expected_version
        if current["version"] != version:
            raise _stale(store, "tie", (source, target, kind), what, current, version)
        tie = _validate(Tie, {**current, "confirmed": date.today(), **changes, **fixed})
        store.write_map(ties=[tie.to_record()], actor=actor, expected_versions={(source, target, kind): version})
        return Tie.model_validate(store.get_tie(source, target, kind))


def remove_tie(store: Store, source: str, target: str, kind: str | None = None, actor: str | None = None) -> int:
    """Remove ties between two organizations (one kind, or all); refuses when none exist."""
    removed = store.delete_tie(source, target, kind, actor=actor)
    if removed == 0:
        raise NotFound(
            _("no {kind} tie between '{first}' and '{second}'").format(kind=kind, first=source, second=target)
            if kind
            else _("no tie between '{first}' and '{second}'").format(first=source, second=target)
        )
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
    return view_stats(read_view(store, audience))


def view_stats(view: dict[str, Any]) -> dict[str, Any]:
    """``map_stats`` of a view already read (the dashboard reuses the view it caches
    instead of reading the map a second time)."""
    movements_of = {o["id"]: set(o["movements"]) for o in view["organizations"]}
    cross = sum(
        1 for t in view["ties"] if t["kind"] != "conflict" and not movements_of[t["source"]] & movements_of[t["target"]]
    )
    counts = _movement_counts(view)
    working, conflicts, ended = tie_counts(view["ties"])
    return {
        "organizations": len(view["organizations"]),
        "ties": len(view["ties"]),
        "working_ties": working,
        "conflict_ties": conflicts,
        "ended_ties": ended,
        "movements": {m["id"]: counts.get(m["id"], 0) for m in view["movements"]},
        "community_led": sum(1 for o in view["organizations"] if o["community_led"]),
        "cross_movement_ties": cross,
    }


def tie_counts(ties: list[dict[str, Any]]) -> tuple[int, int, int]:
    """Working ties, conflicts and ended ties among ``ties``: the three numbers every
    page, export and command says the ties in (``ties_in_words``)."""
    conflicts = sum(1 for t in ties if t["kind"] == "conflict")
    ended = sum(1 for t in ties if t["kind"] != "conflict" and tie_has_ended(t))
    return len(ties) - conflicts - ended, conflicts, ended


def ties_in_words(working: int, conflicts: int, ended: int) -> str:
    """How the ties of a map divide, in the same words on every page and in the brief, so
    that the Overview's total and the Gaps page's working ties never seem to disagree.

    >>> ties_in_words(71, 1, 5)
    '77 ties: 71 working now (the ones gaps and introductions count), 1 conflict, 5 ended'
    """
    total = working + conflicts + ended
    parts = [
        ngettext(
            "{count:,} working now (the ones gaps and introductions count)",
            "{count:,} working now (the ones gaps and introductions count)",
            working,
        ).format(count=working)
    ]
    if conflicts:
        parts.append(ngettext("{count:,} conflict", "{count:,} conflicts", conflicts).format(count=conflicts))
    if ended:
        # TRANSLATORS: ties that have ended, in "77 ties: 71 working now (...), 1 conflict, 5 ended"
        parts.append(ngettext("{count:,} ended", "{count:,} ended", ended).format(count=ended))
    # TRANSLATORS: {parts} is "71 working now (...), 1 conflict, 5 ended"
    return ngettext("{count:,} tie: {parts}", "{count:,} ties: {parts}", total).format(
        count=total, parts=_(", ").join(parts)
    )


def counts_in_words(counts: dict[str, int]) -> str:
    """How many records of each kind, in one line: "3 movements, 12 organizations, 20 ties"
    (a backup's, a restore's, an import's or a conversion's summary)."""
    return _(", ").join(_count_words(kind, n) for kind, n in counts.items())


def _count_words(kind: str, n: int) -> str:
    # TRANSLATORS: a count of records; English says it with one form for every number
    # ("1 ties" too), give each plural form of your language its own
    if kind == "movements":
        return ngettext("{count} movements", "{count} movements", n).format(count=n)
    if kind == "organizations":
        return ngettext("{count} organizations", "{count} organizations", n).format(count=n)
    if kind == "ties":
        return ngettext("{count} ties", "{count} ties", n).format(count=n)
    if kind == "introductions":
        return ngettext("{count} introductions", "{count} introductions", n).format(count=n)
    if kind == "audit":
        # TRANSLATORS: a count of audit trail entries, in a restore's summary ("120 audit")
        return ngettext("{count} audit", "{count} audit", n).format(count=n)
    return f"{n} {kind}"


def _movement_counts(view: dict[str, Any]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for org in view["organizations"]:
        for movement in org["movements"]:
            counts[movement] = counts.get(movement, 0) + 1
    return counts


def _stale(
    store: Store, kind: str, key: Any, what: str, current: dict[str, Any] | None, expected_version: int
) -> StaleEdit:
    """The error for an edit from ``expected_version``, naming the newer values: the
    fields the audit trail shows were changed after that version, as they are now. A
    contact is never quoted back: the editor may not be allowed to see it."""
    changed: dict[str, Any] = {}
    if current is None:
        # TRANSLATORS: {what} is an organization's name, or "the {kind} tie {source} -> {target}"
        message = _("{what} was removed by someone else while you edited it; your change was not saved").format(
            what=what
        )
    else:
        fields: dict[str, None] = {}
        for entry in reversed(store.audit(limit=200, kind=kind, key=audit_key(kind, key))):
            after = entry.get("after") or {}
            if entry["action"] == "update" and (after.get("version") or 0) > expected_version:
                fields.update(dict.fromkeys(f for f in after if f != "version"))
        changed = {field: current.get(field) for field in fields}
        newer = _(", ").join(
            # TRANSLATORS: {field} is a field's name as stored (region, contact, notes...)
            _("{field} was changed").format(field=field)
            if field in PRIVATE_FIELDS
            else _("{field} is now {value}").format(field=field, value=_shown(value))
            for field, value in changed.items()
        )
        message = (
            # TRANSLATORS: {what} is an organization's name, or "the {kind} tie {source} -> {target}";
            # {changes} is "region is now 'eastport', notes is now '...'"
            _(
                "{what} was changed by someone else (version {version}, you edited version {edited}): {changes}; "
                "reload and apply your change again"
            )
            if newer
            else _(
                "{what} was changed by someone else (version {version}, you edited version {edited}); "
                "reload and apply your change again"
            )
        ).format(what=what, version=current.get("version"), edited=expected_version, changes=newer)
    return StaleEdit(kind, key, expected_version, current, message=message, changed=changed)


def _shown(value: Any, limit: int = 60) -> str:
    """A value as a person reads it in a message: quoted text, lists joined, cut short."""
    if isinstance(value, list):
        value = "; ".join(str(v) for v in value)
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= limit else text[: limit - 4] + "...'"
