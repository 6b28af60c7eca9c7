"""Tracking introductions: the planning pipeline suggested -> planned -> asking ->
agreed -> made (or declined, or on hold), stored in the map so that later suggestions
follow it.

Introductions are double opt-in, as careful brokers make them: ``ask_introduction``
asks both groups, ``answer_introduction`` records each side's yes or no (``agreed`` only
when both said yes, ``declined`` as soon as one says no; which side declined is kept in
side records that only admins read). ``made`` is refused for a pair that did not agree,
unless an admin gives a reason (``override``), which the audit trail keeps.

What a status does to later suggestions (``coalition.introductions.recommend``):

- ``planned``, ``asking``, ``agreed`` and ``made`` take a slot of both organizations'
  monthly capacity when their status date is in the current month, and the pair is not
  suggested again;
- ``declined`` pairs are never suggested again; ``on_hold`` pairs are not suggested
  again as new (list them with ``status="on_hold"``);
- ``suggested`` (the default) changes nothing.

Limits the groups set hold here too, so a plan never goes around them: an introduction
across a conflict tie is never planned or made, an organization that opted out of
introductions is never planned with, and a plan that would go over an organization's
``intro_capacity_per_month`` this month is refused. ``made`` records what happened and
is not held to capacity (its plan already was).

``create_tie=True`` with ``made`` adds the tie the introduction started: kind
``personal_contact`` (a new, person-to-person relationship, the weakest kind of the
vocabulary), strength 2, since the status date, visibility the most restricted of
``coalition`` and the two organizations' visibilities (a tie is never less restricted
than either end), unless a non-conflict tie already joins them. Status and tie are
written in one transaction.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import ValidationError

from coalition.domain.errors import CoalitionError, InvalidInput, NotFound
from coalition.domain.models import INTRODUCTION_STATUSES, Introduction, Tie
from coalition.domain.privacy import can_see, hidden_names, view_for
from coalition.domain.validation import problems_from
from coalition.i18n import _, ngettext
from coalition.introductions.index import BUSY_STATUSES, count_used_capacity, month_of
from coalition.introductions.recommend import explain_pair
from coalition.maps.freshness import INTRODUCTION
from graph.store import VISIBILITIES, Store, now_iso

__all__ = [
    "NEW_TIE_KIND",
    "NEW_TIE_STRENGTH",
    "answer_introduction",
    "ask_introduction",
    "check_introduction_limits",
    "consent_answers",
    "set_introduction_status",
]

#: Statuses only the two groups' answers set (``answer_introduction``), never by hand.
ANSWERED_STATUSES = ("agreed",)
#: The side record an admin's reason to go ahead without both yeses is kept under.
OVERRIDE_SIDE = "(override)"
#: The tie a made introduction creates when asked to.
NEW_TIE_KIND = "personal_contact"
NEW_TIE_STRENGTH = 2


def set_introduction_status(
    store: Store,
    a: str,
    b: str,
    status: str,
    note: str | None = None,
    on: date | None = None,
    create_tie: bool = False,
    audience: str = "private",
    score: float | None = None,
    override: str | None = None,
) -> dict[str, Any]:
    """Record the status of the introduction of ``a`` and ``b`` (in either order).

    Parameters
    ----------
    store : Store
        Where the map lives.
    a, b : str
        Organization ids; both must be visible to ``audience``.
    status : str
        One of ``suggested``, ``planned``, ``made``, ``declined``, ``on_hold``.
    note : str, optional
        Replaces the stored note (None keeps it).
    on : date, optional
        The status date (default: today); it decides the month that capacity counts.
    create_tie : bool
        With ``made``: also add the tie (see the module docstring).
    audience : str
        Who is acting: organizations and facts they may not see are neither used in
        stored reasons nor named in errors.
    score : float, optional
        The score the pair had in the list it was picked from, kept with a pair tracked
        for the first time (so a planned introduction still says how good it looked);
        None for a pair picked by hand.
    override : str, optional
        An admin's reason to mark made an introduction both sides did not agree to (kept
        in the audit trail); the caller checks that an admin gives it.

    Returns
    -------
    dict
        The stored introduction (``a < b``) plus ``tie_created`` (bool).

    Raises
    ------
    NotFound
        An organization that does not exist or that the audience may not see.
    CoalitionError
        An unknown status, the same organization twice, a conflict, no consent, no
        capacity left this month, or ``create_tie`` without ``made``.
    """
    if status not in INTRODUCTION_STATUSES:
        raise CoalitionError(
            _("unknown status '{status}'; known: {statuses}").format(
                status=status, statuses=", ".join(INTRODUCTION_STATUSES)
            )
        )
    if status in ANSWERED_STATUSES:
        raise CoalitionError(
            _(
                "an introduction is agreed only when both groups say yes: record each answer with "
                "`coalition introductions answer A B --side A --yes`"
            )
        )
    if a == b:
        raise CoalitionError(_("an introduction needs two different organizations"))
    if create_tie and status != "made":
        raise CoalitionError(_("only a made introduction can create a tie (use --status made)"))
    a, b = sorted((a, b))
    on = on or date.today()
    with store.transaction():  # the limits are checked on the state the write changes
        return _record_status(store, a, b, status, note, on, create_tie, audience, score, override)


def _record_status(
    store: Store,
    a: str,
    b: str,
    status: str,
    note: str | None,
    on: date,
    create_tie: bool,
    audience: str,
    score: float | None,
    override: str | None = None,
) -> dict[str, Any]:
    full = store.snapshot()
    view = view_for(full, audience, hidden_names=hidden_names(full, audience))
    visible = {o["id"]: o for o in view["organizations"]}
    for org_id in (a, b):
        if org_id not in visible:
            raise NotFound(_("no organization with id '{organization}'").format(organization=org_id))
    stored = next((i for i in full["introductions"] if (i["a"], i["b"]) == (a, b)), None)
    if status == "made" and (stored is None or stored["status"] not in ("agreed", "made")):
        if not (override or "").strip():
            raise CoalitionError(
                # TRANSLATORS: {first} and {second} are the groups' names, {first_id} and {second_id} their ids
                _(
                    "{first} and {second} have not both agreed to meet: ask them first "
                    "(`coalition introductions ask {first_id} {second_id}`), or an admin gives the reason to go "
                    "ahead (--override)"
                ).format(first=visible[a]["name"], second=visible[b]["name"], first_id=a, second_id=b)
            )
        reason = {"reason": override.strip()[:500], "at": now_iso(), "was": stored["status"] if stored else None}
        store.write_side_records([{"kind": "consent", "round": f"{a}|{b}", "org": OVERRIDE_SIDE, "body": reason}])
    if status in BUSY_STATUSES:
        check_introduction_limits(full, visible, a, b, status, on, audience)

    if stored is not None:
        record = {key: stored.get(key) for key in ("broker", "score", "reasons", "note", "created_at")}
        record["score"] = score if record["score"] is None else record["score"]
    else:
        explained = explain_pair(view, a, b, today=on)
        record = {"broker": explained["broker"], "score": score, "reasons": explained["reasons"], "note": ""}
    record.update(a=a, b=b, status=status, status_date=on, updated_at=None)
    if note is not None:
        record["note"] = note
    introduction = _validated(Introduction, record).to_record()

    ties = []
    if create_tie and not _tied(full, a, b):
        ties.append(_new_tie(visible[a], visible[b], record.get("broker"), visible, on))
    store.write_map(introductions=[introduction], ties=ties)
    return {**introduction, "tie_created": bool(ties)}


def ask_introduction(
    store: Store, a: str, b: str, note: str | None = None, audience: str = "private"
) -> dict[str, Any]:
    """Start asking both groups whether they want the introduction (status ``asking``);
    earlier answers of the pair are forgotten. Held to the same limits as a plan."""
    a, b = sorted((a, b))
    with store.transaction():
        answers = [r for r in store.side_records("consent", f"{a}|{b}") if r["org"] != OVERRIDE_SIDE]
        if answers:
            store.write_side_records([{**r, "body": {**r["body"], "answer": None}} for r in answers])
        return set_introduction_status(store, a, b, "asking", note=note, audience=audience)


def answer_introduction(
    store: Store, a: str, b: str, side: str, yes: bool, note: str | None = None, audience: str = "private"
) -> dict[str, Any]:
    """Record one group's answer: ``agreed`` once both said yes, ``declined`` as soon as
    one says no. Which side declined, and its note, stay in the side records (admins
    only), never in the introduction's own note or reasons."""
    a, b = sorted((a, b))
    if side not in (a, b):
        raise CoalitionError(_("--side must be one of the two groups: {first} or {second}").format(first=a, second=b))
    with store.transaction():
        stored = next((i for i in store.snapshot()["introductions"] if (i["a"], i["b"]) == (a, b)), None)
        if stored is None or stored["status"] not in ("asking", "agreed"):
            raise CoalitionError(
                _(
                    "the introduction of {first} and {second} is not being asked: start with "
                    "`coalition introductions ask {first} {second}`"
                ).format(first=a, second=b)
            )
        body = {"answer": "yes" if yes else "no", "note": (note or "").strip()[:500], "at": now_iso()}
        store.write_side_records([{"kind": "consent", "round": f"{a}|{b}", "org": side, "body": body}])
        said = {r["org"]: r["body"]["answer"] for r in store.side_records("consent", f"{a}|{b}")}
        status = (
            "declined"
            if "no" in (said.get(a), said.get(b))
            else "agreed"
            if said.get(a) == said.get(b) == "yes"
            else "asking"
        )
        if status == stored["status"]:
            return {**stored, "tie_created": False}
        if status == "agreed":  # only the answers make an introduction agreed
            record = _validated(
                Introduction, {**stored, "status": "agreed", "status_date": date.today(), "updated_at": None}
            )
            store.write_map(introductions=[record.to_record()])
            return {**record.to_record(), "tie_created": False}
        return set_introduction_status(store, a, b, status, audience=audience)


def consent_answers(store: Store, a: str, b: str) -> dict[str, Any]:
    """Each side's answer (``yes``, ``no`` or None) and an admin's override, if any: for
    admins, as they say which side declined."""
    a, b = sorted((a, b))
    found = {r["org"]: r["body"] for r in store.side_records("consent", f"{a}|{b}")}
    return {a: (found.get(a) or {}).get("answer"), b: (found.get(b) or {}).get("answer"),
            "override": found.get(OVERRIDE_SIDE)}  # fmt: skip


def check_introduction_limits(
    full: dict[str, Any], visible: dict[str, dict[str, Any]], a: str, b: str, status: str, on: date, audience: str
) -> None:
    """Refuse (``CoalitionError``, one sentence) an introduction of ``a`` and ``b`` set to
    a busy ``status`` (planned or made) that goes around a limit the groups set: a
    conflict tie between them, consent off on either side, or (planned only) a monthly
    capacity already used in the month of ``on``.

    ``full`` holds the ties and the introductions to count (the map as it will be);
    ``visible`` the organizations by id, ``a`` and ``b`` among them; a conflict tie the
    ``audience`` may not see refuses without saying why. Planning one introduction
    (``set_introduction_status``) and importing many (``coalition.maps.transfer``) share
    these rules.
    """
    names = {org_id: visible[org_id]["name"] for org_id in (a, b)}
    for tie in full["ties"]:
        if tie["kind"] == "conflict" and {tie["source"], tie["target"]} == {a, b}:
            if can_see(audience, tie["visibility"]):
                raise CoalitionError(
                    # TRANSLATORS: {status} is a status as stored: planned, asking, agreed or made
                    _("{first} and {second} have a conflict tie: an introduction is never {status} across it").format(
                        first=names[a], second=names[b], status=status
                    )
                )
            raise CoalitionError(
                # TRANSLATORS: {status} is a status as stored: planned, asking, agreed or made
                _("the introduction of {first} and {second} cannot be {status}").format(
                    first=names[a], second=names[b], status=status
                )
            )
    for org_id in (a, b):
        if not visible[org_id].get("consent_to_introductions", True):
            raise CoalitionError(
                _("{organization} does not take introductions (consent is off)").format(organization=names[org_id])
            )
    if status not in ("planned", "asking"):
        return
    others = [i for i in full["introductions"] if (i["a"], i["b"]) != (a, b)]
    used = count_used_capacity(others, on)
    for org_id in (a, b):
        capacity = int(visible[org_id].get("intro_capacity_per_month") or 0)
        taken = used.get(org_id, 0)
        if taken >= capacity:
            takes = ngettext(
                "{organization} takes {count} introduction a month",
                "{organization} takes {count} introductions a month",
                capacity,
            ).format(organization=names[org_id], count=capacity)
            # TRANSLATORS: {month} is YYYY-MM
            planned = ngettext(
                "{count} is already planned or made in {month}", "{count} are already planned or made in {month}", taken
            ).format(count=taken, month=month_of(on))
            # TRANSLATORS: {takes} is "Casa Y takes 2 introductions a month", {planned} "2 are already planned or
            # made in 2026-11"
            raise CoalitionError(_("{takes} and {planned}").format(takes=takes, planned=planned))


def _tied(full: dict[str, Any], a: str, b: str) -> bool:
    return any(t["kind"] != "conflict" and {t["source"], t["target"]} == {a, b} for t in full["ties"])


def _new_tie(
    org_a: dict[str, Any], org_b: dict[str, Any], broker: str | None, visible: dict[str, dict[str, Any]], on: date
) -> dict[str, Any]:
    level = max(VISIBILITIES.index("coalition"), *(VISIBILITIES.index(o["visibility"]) for o in (org_a, org_b)))
    through = visible.get(broker or "", {}).get("name")
    # the tie's notes are data, stored once for every reader: in English, as the rest of the record
    notes = f"Introduced through {through}." if through else "Started with a coalition introduction."
    tie = {
        "source": org_a["id"],
        "target": org_b["id"],
        "kind": NEW_TIE_KIND,
        "strength": NEW_TIE_STRENGTH,
        "since": on,
        "visibility": VISIBILITIES[level],
        "notes": notes,
        "provenance": INTRODUCTION,
        "confirmed": on,
    }
    return _validated(Tie, tie).to_record()


def _validated(model: type, data: dict[str, Any]) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as e:
        raise InvalidInput(problems_from(e)) from e
