"""The use cases the dashboard's pages call, each checked against the signed-in account.

A page never calls a writing use case directly: it calls the function here with the
account (``state.current_user()``), which asks ``coalition.auth.permissions`` first and
refuses with ``PermissionDenied`` (one sentence) when the role or the account's audience
ceiling does not allow it. Hiding a form from a viewer is only a courtesy; these checks
hold even for a request crafted by hand. Each check reads the state the write changes:
check and write run in one unit of work (``store.transaction()``). No Streamlit here,
so tests call them directly.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any

from coalition.auth import accounts, permissions
from coalition.auth.accounts import User
from coalition.auth.permissions import EDIT, EXPORT, IMPORT, MANAGE_USERS, TRACK, require
from coalition.domain.errors import NotFound
from coalition.domain.models import Organization, Tie, slugify
from coalition.domain.privacy import can_see
from coalition.domain.settings import ImportLimits
from coalition.formats.files import scratch_folder
from coalition.i18n import _
from coalition.maps import freshness, services
from coalition.maps.transfer import ExportResult, ImportReport, export_map, import_map
from coalition.survey import links, review
from graph.store import Store, acting_as

__all__ = [
    "actor",
    "add_organization",
    "edit_organization",
    "edit_tie",
    "confirm_tie",
    "remove_organization",
    "add_tie",
    "remove_tie",
    "set_introduction_status",
    "ask_introduction",
    "answer_introduction",
    "start_survey",
    "survey_queue",
    "survey_status",
    "survey_sheet",
    "survey_sheet_answer",
    "review_survey_answer",
    "import_file",
    "export_file",
    "add_account",
    "remove_account",
    "set_account_password",
    "set_account_role",
]

BLANK_ORG = {"visibility": "coalition", "contact": "", "contact_visibility": "private"}


def actor(user: User) -> str:
    """Who the audit trail names for this account's writes: ``dashboard:<name>``."""
    return f"dashboard:{user.name}"


# organizations and ties ----------------------------------------------------------------------
def add_organization(user: User, store: Store, data: dict[str, Any]) -> Organization:
    """Add an organization. The permission check comes first; then an id (given, or made
    from the name) that an organization hidden from the account holds is replaced by
    another (``permissions.unhidden_id``), so that adding it goes as for a missing one
    instead of answering "already exists". The id check and the write are one unit of work."""
    permissions.check_organization_write(user, {**BLANK_ORG, **_levels(data)})
    with store.transaction():
        name = data.get("name")
        given = str(data.get("id") or "").strip() or (slugify(name) if isinstance(name, str) else "")
        if given:
            new = permissions.unhidden_id(user, given, store.get_organization)
            data = {**data, "id": new} if new != given else data
        return services.add_organization(store, data, actor=actor(user))


def edit_organization(
    user: User, store: Store, org_id: str, changes: dict[str, Any], expected_version: int | None = None
) -> Organization:
    """Change some fields; with ``expected_version`` (the version the form showed) an
    organization changed since is refused (``StaleEdit``)."""
    require(user, EDIT)
    with store.transaction():
        current = services.get_organization(store, org_id)
        permissions.check_organization_write(user, {**current, **_levels(changes)}, current)
        return services.edit_organization(store, org_id, changes, expected_version=expected_version, actor=actor(user))


def remove_organization(user: User, store: Store, org_id: str) -> int:
    require(user, EDIT)
    with store.transaction():
        permissions.check_organization_removal(user, org_id, store.snapshot())
        return services.remove_organization(store, org_id, actor=actor(user))


def add_tie(user: User, store: Store, data: dict[str, Any]) -> Tie:
    """Add a tie (or replace the one with the same ends and kind)."""
    require(user, EDIT)
    with store.transaction():
        permissions.check_tie_write(user, {"visibility": "coalition", **_levels(data)}, store.snapshot())
        return services.add_tie(store, data, actor=actor(user), provenance=freshness.FORM)


def edit_tie(
    user: User,
    store: Store,
    source: str,
    target: str,
    kind: str,
    changes: dict[str, Any],
    expected_version: int | None = None,
) -> Tie:
    """Change a tie's strength, dates, visibility or notes (``services.edit_tie``)."""
    require(user, EDIT)
    with store.transaction():
        full = store.snapshot()
        current = next(
            (t for t in full["ties"] if (t["source"], t["target"], t["kind"]) == (source, target, kind)),
            {"source": source, "target": target, "kind": kind},
        )
        if "visibility" in current and not can_see(permissions.max_audience(user), current["visibility"]):
            raise NotFound(  # as if missing
                _("no {kind} tie from '{source}' to '{target}'").format(kind=kind, source=source, target=target)
            )
        permissions.check_tie_write(user, {"visibility": "coalition", **current, **_levels(changes)}, full)
        return services.edit_tie(
            store, source, target, kind, changes, expected_version=expected_version, actor=actor(user)
        )


def confirm_tie(user: User, store: Store, source: str, target: str, kind: str) -> dict[str, Any]:
    """Mark one tie the account may change confirmed today (``freshness.confirm_tie``)."""
    require(user, EDIT)
    with store.transaction():
        full = store.snapshot()
        current = next(
            (t for t in full["ties"] if (t["source"], t["target"], t["kind"]) == (source, target, kind)), None
        )
        if current is None or not can_see(permissions.max_audience(user), current["visibility"]):
            raise NotFound(  # as if missing
                _("no {kind} tie from '{source}' to '{target}'").format(kind=kind, source=source, target=target)
            )
        permissions.check_tie_write(user, current, full)
        return freshness.confirm_tie(store, source, target, kind, actor=actor(user))


def remove_tie(user: User, store: Store, source: str, target: str, kind: str | None = None) -> int:
    require(user, EDIT)
    with store.transaction():
        permissions.check_tie_removal(user, source, target, kind, store.snapshot())
        return services.remove_tie(store, source, target, kind, actor=actor(user))


def set_introduction_status(
    user: User, store: Store, a: str, b: str, status: str, audience: str, **options: Any
) -> dict[str, Any]:
    """Plan, mark made or decline an introduction, acting as the account's audience (the
    tie a made introduction may create is never more visible than coalition)."""
    from coalition.maps.tracking import set_introduction_status as track  # scipy, igraph: not for every page

    require(user, TRACK)
    if options.get("override"):
        require(user, permissions.OVERRIDE)
    with acting_as(actor(user)):
        return track(store, a, b, status, audience=permissions.cap_audience(user, audience), **options)


def ask_introduction(
    user: User, store: Store, a: str, b: str, audience: str, note: str | None = None
) -> dict[str, Any]:
    """Ask both groups of a pair (double opt-in)."""
    from coalition.maps.tracking import ask_introduction as ask

    require(user, TRACK)
    with acting_as(actor(user)):
        return ask(store, a, b, note=note, audience=permissions.cap_audience(user, audience))


def answer_introduction(
    user: User, store: Store, a: str, b: str, side: str, yes: bool, audience: str
) -> dict[str, Any]:
    """Record one group's answer to an introduction being asked."""
    from coalition.maps.tracking import answer_introduction as answer

    require(user, TRACK)
    with acting_as(actor(user)):
        return answer(store, a, b, side, yes, audience=permissions.cap_audience(user, audience))


# survey rounds (editors) ----------------------------------------------------------------------
def start_survey(
    user: User,
    store: Store,
    round_id: str,
    orgs: list[str],
    expires: date | None,
    base_url: str,
    audience: str = "private",
) -> list[dict[str, str]]:
    """New private links for the chosen organizations (all the account may see when none
    are chosen); an organization above the account's audience is as if missing."""
    require(user, EDIT)
    with store.transaction():
        visible = _visible_ids(user, store, audience)
        hidden = [org for org in orgs if org not in visible]
        if hidden:
            raise NotFound(_("no organization with id '{organization}'").format(organization=hidden[0]))
        with acting_as(actor(user)):
            return links.start_round(store, round_id, orgs or sorted(visible), expires, base_url)


def survey_status(user: User, store: Store, round_id: str, audience: str = "private") -> dict[str, Any]:
    """A round's progress over the organizations the account may see in ``audience``."""
    require(user, EDIT)
    return review.status(store, round_id, only=_visible_ids(user, store, audience))


def survey_queue(
    user: User, store: Store, round_id: str, audience: str = "private"
) -> tuple[list[dict[str, Any]], int]:
    """The round's answers of organizations the account may see, and how many others wait
    (an admin reviews those)."""
    require(user, EDIT)
    visible = _visible_ids(user, store, audience)
    items = review.queue(store, round_id)
    shown = [item for item in items if item["org"] in visible]
    return shown, len(items) - len(shown)


def review_survey_answer(
    user: User,
    store: Store,
    round_id: str,
    org: str,
    accept: bool,
    parts: tuple[str, ...] = review.PARTS,
    audience: str = "private",
) -> dict[str, int]:
    """Accept (the chosen parts of) or reject one organization's waiting answer."""
    require(user, EDIT)
    with store.transaction():
        if org not in _visible_ids(user, store, audience):
            raise NotFound(
                _("no answer of '{organization}' waits for review in round '{round}'").format(
                    organization=org, round=round_id
                )
            )
        with acting_as(actor(user)):
            if accept:
                return review.accept(store, round_id, org, parts=parts, reviewer=actor(user))
            return {"rejected": review.reject(store, round_id, org, reviewer=actor(user))}


def survey_sheet(user: User, store: Store, round_id: str, org: str, audience: str = "private") -> bytes:
    """The spreadsheet form of one organization the account may see."""
    from coalition.survey import sheet  # openpyxl: not for every page

    require(user, EDIT)
    if org not in _visible_ids(user, store, audience):
        raise NotFound(_("no organization with id '{organization}'").format(organization=org))
    with scratch_folder("coalition-survey-") as folder:
        return sheet.write_form(store, round_id, org, Path(folder) / "form.xlsx").read_bytes()


def survey_sheet_answer(user: User, store: Store, link: str, name: str, data: bytes) -> links.Link:
    """Take back a spreadsheet form a group sent by email or on paper, with the link that
    was sent to it (its token says whose answer it is), checked like any import."""
    from coalition.survey import sheet  # openpyxl: not for every page

    require(user, EDIT)
    with scratch_folder("coalition-survey-") as folder:
        path = Path(folder) / Path(name).name
        path.write_bytes(data)
        with acting_as(actor(user)):
            return sheet.answer_from_file(store, link.strip().rsplit("survey=", 1)[-1], path)


def _visible_ids(user: User, store: Store, audience: str) -> set[str]:
    """Organizations the account may see in ``audience`` (never above its ceiling)."""
    shown = permissions.cap_audience(user, audience)
    return {o["id"] for o in store.snapshot()["organizations"] if can_see(shown, o["visibility"])}


# files ----------------------------------------------------------------------------------------
def import_file(
    user: User,
    store: Store,
    path: Path,
    fmt: str | None = None,
    dry_run: bool = False,
    limits: ImportLimits | None = None,
) -> ImportReport:
    """Check (``dry_run``) or import a file, through the one import use case every role
    and the CLI share (``transfer.import_map``): the same size, record and cell limits,
    read while streaming, for every role. The account's permissions come in as its
    guard: below admin, the whole file must stay within the account's ceiling and
    overwrite nothing it may not see, and the report counts, matches and names no hidden
    organization; the check and the write see one state (one unit of work)."""
    require(user, IMPORT)
    guard = permissions.import_guard(user)
    with acting_as(actor(user)):
        return import_map(store, path, fmt=fmt, dry_run=dry_run, limits=limits, guard=guard)


def export_file(
    user: User, store: Store, path: Path, fmt: str | None = None, audience: str = "coalition", **options: Any
) -> ExportResult:
    """Export for an audience the account may use (a viewer: its own; an editor: up to
    coalition; an admin: any)."""
    require(user, EXPORT)
    permissions.require_audience(user, audience)
    return export_map(store, path, fmt=fmt, audience=audience, **options)


# accounts (admins) ----------------------------------------------------------------------------
def add_account(
    user: User, path: str | os.PathLike[str], name: str, role: str, password: str | None, audience: str | None = None
) -> User:
    require(user, MANAGE_USERS)
    return accounts.add_user(path, name, role, password, audience)


def remove_account(user: User, path: str | os.PathLike[str], name: str) -> None:
    require(user, MANAGE_USERS)
    if not user.local and name.strip().lower() == user.name:
        raise permissions.PermissionDenied(_("you cannot remove the account you are signed in with"))
    accounts.remove_user(path, name)


def set_account_password(user: User, path: str | os.PathLike[str], name: str, password: str) -> None:
    require(user, MANAGE_USERS)
    accounts.set_password(path, name, password)


def set_account_role(
    user: User, path: str | os.PathLike[str], name: str, role: str, audience: str | None = None
) -> User:
    require(user, MANAGE_USERS)
    return accounts.set_role(path, name, role, audience)


def _levels(data: dict[str, Any]) -> dict[str, Any]:
    """Visibility fields as the models store them (``" Private"`` is ``private``)."""
    levels = ("visibility", "contact_visibility")
    return {k: str(v).strip().lower() if k in levels else v for k, v in data.items() if k not in levels or v}
