"""What each role may do, checked on the server before every use case a page calls.

Hiding a button is a courtesy; these checks are the rule. ``require(user, action)``
refuses an action the role does not have. Every account also has an audience ceiling
(``max_audience``): what it reads is capped to it, and what an editor writes must stay
within it — an organization, tie or contact an editor saves is never private, and an
editor cannot change, overwrite or remove what it may not see. ``check_*`` functions
take plain records, so they hold for any store backend.

A hidden record is refused with the same sentence as a missing one, so the checks do not
tell an editor which hidden ids exist. Permission checks come before any existence check
an account can observe, and below its audience a hidden organization is handled as a
missing one: a tie to it is an "unknown organization", an import counts it nowhere, and a
new organization whose id (given, or made from its name) a hidden one holds is added
under another id (``unhidden_id``) instead of being refused as "already exists". That
other id is the one trace left: a stable, unguessable suffix on the id the account sees
afterwards, never the hidden organization's name, fields or ties.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from coalition.auth.accounts import ROLES, User
from coalition.domain.errors import CoalitionError, NotFound
from coalition.domain.models import AUDIENCES, slugify
from coalition.domain.privacy import can_see
from coalition.domain.validation import RawMap
from coalition.i18n import N_, _

__all__ = [
    "ACTIONS",
    "AccountImport",
    "ROLE_ACTIONS",
    "PermissionDenied",
    "allowed",
    "require",
    "max_audience",
    "allowed_audiences",
    "cap_audience",
    "require_audience",
    "check_organization_write",
    "check_organization_removal",
    "check_tie_write",
    "check_tie_removal",
    "check_import",
    "import_guard",
    "unhidden_id",
]

VIEW = "view"
EXPORT = "export"
EDIT = "edit"
TRACK = "track_introductions"
IMPORT = "import"
SEE_PRIVATE = "see_private"
SEE_AUDIT = "see_audit"
MANAGE_USERS = "manage_users"
OVERRIDE = "override_introductions"

#: Every action, with the sentence that refuses it to a role ({role} is viewer, editor or
#: admin), shown as ``_(ACTIONS[action])``.
ACTIONS: dict[str, str] = {
    VIEW: N_("{role} accounts cannot view the map"),
    EXPORT: N_("{role} accounts cannot export the map"),
    EDIT: N_("{role} accounts cannot change organizations or ties"),
    TRACK: N_("{role} accounts cannot plan or record introductions"),
    IMPORT: N_("{role} accounts cannot import maps"),
    SEE_PRIVATE: N_("{role} accounts cannot see private data"),
    SEE_AUDIT: N_("{role} accounts cannot see the audit trail"),
    MANAGE_USERS: N_("{role} accounts cannot manage accounts"),
    OVERRIDE: N_("{role} accounts cannot mark an introduction made without both sides' yes"),
}
#: The sentence that asks someone signed out to sign in for each action.
SIGN_IN_TO: dict[str, str] = {
    VIEW: N_("sign in to view the map"),
    EXPORT: N_("sign in to export the map"),
    EDIT: N_("sign in to change organizations or ties"),
    TRACK: N_("sign in to plan or record introductions"),
    IMPORT: N_("sign in to import maps"),
    SEE_PRIVATE: N_("sign in to see private data"),
    SEE_AUDIT: N_("sign in to see the audit trail"),
    MANAGE_USERS: N_("sign in to manage accounts"),
    OVERRIDE: N_("sign in to mark an introduction made without both sides' yes"),
}
ROLE_ACTIONS: dict[str, frozenset[str]] = {
    "viewer": frozenset({VIEW, EXPORT}),
    "editor": frozenset({VIEW, EXPORT, EDIT, TRACK, IMPORT}),
    "admin": frozenset(ACTIONS),
}
#: The most each role may ever see, whatever the accounts file says.
ROLE_CEILING = {"viewer": "coalition", "editor": "coalition", "admin": "private"}
assert set(ROLE_ACTIONS) == set(ROLES) == set(ROLE_CEILING)
assert set(SIGN_IN_TO) == set(ACTIONS)


class PermissionDenied(CoalitionError):
    """The signed-in account's role does not allow this."""


def allowed(user: User | None, action: str) -> bool:
    """True when the account's role includes the action (no account: nothing)."""
    return user is not None and action in ROLE_ACTIONS.get(user.role, frozenset())


def require(user: User | None, action: str) -> None:
    """Refuse, with one sentence, an action the account's role does not include."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if user is None:
        raise PermissionDenied(_(SIGN_IN_TO[action]))
    if not allowed(user, action):
        raise PermissionDenied(_(ACTIONS[action]).format(role=user.role))


def max_audience(user: User | None) -> str:
    """The widest audience the account may read as (and write within)."""
    if user is None or user.role not in ROLE_CEILING:
        return AUDIENCES[0]
    ceiling = ROLE_CEILING[user.role]
    own = user.audience if user.audience in AUDIENCES else AUDIENCES[0]
    return min(own, ceiling, key=AUDIENCES.index)


def allowed_audiences(user: User | None) -> tuple[str, ...]:
    """The audiences the account may choose, narrowest first."""
    return AUDIENCES[: AUDIENCES.index(max_audience(user)) + 1]


def cap_audience(user: User | None, wanted: str | None) -> str:
    """The wanted audience, lowered to the account's ceiling (unknown: the ceiling)."""
    ceiling = max_audience(user)
    if wanted not in AUDIENCES:
        return ceiling
    return min(wanted, ceiling, key=AUDIENCES.index)


def require_audience(user: User | None, audience: str) -> None:
    """Refuse reading or exporting for an audience above the account's ceiling."""
    if audience not in allowed_audiences(user):
        audiences = ", ".join(allowed_audiences(user))
        if user is None:
            raise PermissionDenied(
                _("signed-out accounts may use only the {audiences} audience").format(audiences=audiences)
            )
        # TRANSLATORS: {role} is viewer, editor or admin; {audiences} lists public, coalition or private
        raise PermissionDenied(
            _("{role} accounts may use only the {audiences} audience").format(role=user.role, audiences=audiences)
        )


# writes within the ceiling -------------------------------------------------------------------
def check_organization_write(user: User, new: dict[str, Any], current: dict[str, Any] | None = None) -> None:
    """An organization as it will be stored (``new``), replacing ``current`` if any."""
    require(user, EDIT)
    ceiling = max_audience(user)
    contact_changed = bool(new.get("contact"))
    if current is not None:
        _require_visible(ceiling, current)
        contact_changed = any(new.get(k, "") != current.get(k, "") for k in ("contact", "contact_visibility"))
        hidden_contact = current.get("contact") and not can_see(ceiling, current.get("contact_visibility", "private"))
        if contact_changed and hidden_contact:
            raise PermissionDenied(_("{role} accounts cannot change a contact they may not see").format(role=user.role))
    _require_within(user, ceiling, new.get("visibility", "coalition"), "organization")
    if contact_changed and new.get("contact"):
        _require_within(user, ceiling, new.get("contact_visibility", "private"), "contact")


def check_organization_removal(user: User, org_id: str, full: dict[str, Any]) -> None:
    """Removing an organization removes its ties and introductions too: all must be
    within the ceiling (``full`` is the whole map, read on the server)."""
    require(user, EDIT)
    ceiling = max_audience(user)
    org = next((o for o in full["organizations"] if o["id"] == org_id), None)
    if org is None or not can_see(ceiling, org["visibility"]):
        raise NotFound(_("no organization with id '{organization}'").format(organization=org_id))
    visible = {o["id"] for o in full["organizations"] if can_see(ceiling, o["visibility"])}
    hidden_ties = any(
        org_id in (t["source"], t["target"])
        and not ({t["source"], t["target"]} <= visible and can_see(ceiling, t["visibility"]))
        for t in full["ties"]
    )
    hidden_intros = any(org_id in (i["a"], i["b"]) and not {i["a"], i["b"]} <= visible for i in full["introductions"])
    if hidden_ties or hidden_intros:
        raise PermissionDenied(
            _(
                "{organization} has ties or introductions a {role} account may not see; ask an admin to remove it"
            ).format(organization=org["name"], role=user.role)
        )


def check_tie_write(user: User, tie: dict[str, Any], full: dict[str, Any]) -> None:
    """A tie as it will be stored: both ends visible, visibility within the ceiling, and
    no hidden tie with the same ends and kind overwritten."""
    require(user, EDIT)
    _check_tie(user, max_audience(user), tie, _by_id(full), _ties_by_key(full))


def _check_tie(
    user: User, ceiling: str, tie: dict[str, Any], orgs: dict[str, dict], ties: dict[tuple, dict[str, Any]]
) -> None:
    for end in (tie.get("source"), tie.get("target")):
        if end in orgs:
            _require_visible(ceiling, orgs[end])
    _require_within(user, ceiling, tie.get("visibility", "coalition"), "tie")
    stored = ties.get((tie.get("source"), tie.get("target"), tie.get("kind")))
    if stored is not None and not can_see(ceiling, stored["visibility"]):
        raise PermissionDenied(
            _("this tie is kept at a visibility a {role} account may not change").format(role=user.role)
        )


def check_tie_removal(user: User, source: str, target: str, kind: str | None, full: dict[str, Any]) -> None:
    """Every tie the removal would delete (either direction; one kind or all) is visible."""
    require(user, EDIT)
    ceiling = max_audience(user)
    orgs = {o["id"]: o for o in full["organizations"]}
    missing = NotFound(
        _("no {kind} tie between '{first}' and '{second}'").format(kind=kind, first=source, second=target)
        if kind
        else _("no tie between '{first}' and '{second}'").format(first=source, second=target)
    )
    if any(end not in orgs or not can_see(ceiling, orgs[end]["visibility"]) for end in (source, target)):
        raise missing
    doomed = [
        t
        for t in full["ties"]
        if {t["source"], t["target"]} == {source, target} and (kind is None or t["kind"] == kind)
    ]
    shown = [t for t in doomed if can_see(ceiling, t["visibility"])]
    if not shown:
        raise missing
    if len(shown) < len(doomed):
        raise PermissionDenied(
            _("some ties between them are hidden from {role} accounts; remove them one kind at a time").format(
                role=user.role
            )
        )


def check_import(user: User, records: dict[str, list[dict[str, Any]]], full: dict[str, Any]) -> None:
    """A whole file to import, checked before anything is written or reported: every
    record within the ceiling, and nothing hidden (an organization, its contact, a tie)
    overwritten. Runs on whatever of the file validated, problems or not."""
    require(user, IMPORT)
    ceiling = max_audience(user)
    stored = _by_id(full)
    for org in records.get("organizations", []):
        current = stored.get(org["id"])
        if current is not None and not can_see(ceiling, current["visibility"]):
            raise PermissionDenied(
                _("organization {organization}: this id is taken; give the organization another id").format(
                    organization=org["id"]
                )
            )
        try:
            check_organization_write(user, org, current)
        except CoalitionError as e:
            raise PermissionDenied(
                _("organization {organization}: {problem}").format(organization=org["id"], problem=e)
            ) from None
    incoming = {o["id"] for o in records.get("organizations", [])}
    visible = incoming | {i for i, o in stored.items() if can_see(ceiling, o["visibility"])}
    ties = _ties_by_key(full)
    for tie in records.get("ties", []):
        where = {"source": tie["source"], "target": tie["target"], "kind": tie["kind"]}
        if not {tie["source"], tie["target"]} <= visible:
            raise NotFound(
                _("tie {source} - {target} ({kind}): no organization with that id in the file or the map").format(
                    **where
                )
            )
        try:
            _check_tie(user, ceiling, tie, stored, ties)
        except CoalitionError as e:
            raise PermissionDenied(
                _("tie {source} - {target} ({kind}): {problem}").format(**where, problem=e)
            ) from None
    for intro in records.get("introductions", []):
        ends = {intro["a"], intro["b"], *([intro["broker"]] if intro.get("broker") else [])}
        if not ends <= visible:
            raise NotFound(
                _("introduction {first} - {second}: no organization with that id in the file or the map").format(
                    first=intro["a"], second=intro["b"]
                )
            )


def unhidden_id(user: User | None, org_id: str, lookup: Callable[[str], dict[str, Any] | None]) -> str:
    """The id a new organization gets: ``org_id``, unless an organization the account
    may not see holds it; then ``org_id`` with a suffix made from that organization's id
    and creation time (stable, so the same file imported twice updates what it added
    the first time, and unguessable from what the account sees). ``lookup`` finds a
    stored organization by id."""
    ceiling = max_audience(user)
    for _attempt in range(8):  # a suffixed id held by a hidden organization too is suffixed again
        hidden = lookup(org_id)
        if hidden is None or can_see(ceiling, hidden.get("visibility", "private")):
            return org_id
        digest = hashlib.sha256(f"{hidden['id']}\0{hidden.get('created_at')}".encode()).hexdigest()[:6]
        org_id = f"{org_id[:73].rstrip('_-') or 'org'}_{digest}"
    return org_id


@dataclass(frozen=True)
class AccountImport:
    """The import of a signed-in account (``transfer.ImportGuard``): the map as the
    account sees it, new organizations moved off hidden ids, and ``check_import``."""

    user: User

    @property
    def audience(self) -> str:
        return max_audience(self.user)

    def prepare(self, raw: RawMap, full: dict[str, Any]) -> None:
        """Give a new organization of the file whose id a hidden one holds another id
        (``unhidden_id``), and point the file's own ties and introductions at it."""
        stored = _by_id(full)
        renamed: dict[str, str] = {}
        for row in raw.organizations:
            given = _text(row.data.get("id")) or slugify(_text(row.data.get("name")))
            new = unhidden_id(self.user, given, stored.get) if given else given
            if new != given:
                row.data = {**row.data, "id": new}
                renamed[given] = new
        if not renamed:
            return
        for rows, ends in ((raw.ties, ("source", "target")), (raw.introductions, ("a", "b", "broker"))):
            for row in rows:
                moved = {end: renamed[_text(row.data.get(end))] for end in ends if _text(row.data.get(end)) in renamed}
                if moved:
                    row.data = {**row.data, **moved}

    def check(self, records: dict[str, list[dict[str, Any]]], full: dict[str, Any]) -> None:
        check_import(self.user, records, full)


def import_guard(user: User) -> AccountImport:
    """What ``transfer.import_map`` checks for this account (refused outright for a role
    that may not import)."""
    require(user, IMPORT)
    return AccountImport(user)


def _by_id(full: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {o["id"]: o for o in full["organizations"]}


def _ties_by_key(full: dict[str, Any]) -> dict[tuple, dict[str, Any]]:
    return {(t["source"], t["target"], t["kind"]): t for t in full["ties"]}


def _text(value: Any) -> str:
    return str(value).strip() if isinstance(value, str | int) and not isinstance(value, bool) else ""


def _require_visible(ceiling: str, org: dict[str, Any]) -> None:
    if not can_see(ceiling, org.get("visibility", "private")):
        raise NotFound(_("no organization with id '{organization}'").format(organization=org["id"]))


def _require_within(user: User, ceiling: str, visibility: str, what: str) -> None:
    """Refuse a record (``what``: an organization, a contact or a tie) visible beyond the
    account's ceiling."""
    if visibility not in AUDIENCES or not can_see(ceiling, visibility):
        # TRANSLATORS: between the audiences of a list, "public or coalition"
        fields = {"role": user.role, "audiences": _(" or ").join(_within(ceiling)), "visibility": visibility}
        if what == "organization":
            # TRANSLATORS: {role} is viewer, editor or admin; {audiences} is "public or coalition", {visibility}
            # an audience as stored (public, coalition, private)
            message = _("{role} accounts may make a organization visible to {audiences} only, not {visibility}")
        elif what == "contact":
            message = _("{role} accounts may make a contact visible to {audiences} only, not {visibility}")
        else:
            message = _("{role} accounts may make a tie visible to {audiences} only, not {visibility}")
        raise PermissionDenied(message.format(**fields))


def _within(ceiling: str) -> Iterable[str]:
    return AUDIENCES[: AUDIENCES.index(ceiling) + 1]
