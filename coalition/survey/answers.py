"""What a survey form shows and what it takes back.

The form is made for the ``coalition`` audience: the organization's own record without
its contact or notes, its ties that audience may see, and the names it may pick partners
from (never a private organization, never a contact, never another group's answer). An
answer is validated with the map's own models (so hostile text is cleaned and capped as
in any import) and saved as the round's answer of that organization: saving again
replaces it. A later round starts from the organization's last accepted answer.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from coalition.domain.errors import CoalitionError, InvalidInput, NotFound, Problem, plain_problems
from coalition.domain.models import Name, Organization, Tie, slugify
from coalition.domain.privacy import can_see
from coalition.domain.vocabulary import movement_label, region_label
from coalition.i18n import _
from coalition.survey.links import Link, open_link
from graph.store import Record, Store, acting_as, now_iso

__all__ = [
    "ANSWER_FIELDS",
    "AUDIENCE",
    "GROUP_NAME",
    "MAX_PARTNERS",
    "PartnerReport",
    "SurveyAnswer",
    "form_for",
    "last_answer",
    "save_answer",
    "validate_answer",
]

#: Who a form is made for: what it shows never goes above this audience.
AUDIENCE = "coalition"
#: The fields of its own record an organization confirms or corrects.
ANSWER_FIELDS = (
    "name", "kind", "region", "languages", "issues", "needs", "offers", "access", "visibility",
    "consent_to_introductions", "intro_capacity_per_month",
)  # fmt: skip
MAX_PARTNERS = 300
#: A group named by a respondent: cleaned and capped as any organization name.
GROUP_NAME = TypeAdapter(Name)
#: Statuses of an answer in the review queue.
WAITING, ACCEPTED, REJECTED = "waiting", "accepted", "rejected"


class PartnerReport(BaseModel):
    """One partner as a respondent reports it: an organization on the list (``org``) or
    a group not on it (``new_name`` and its ``new_movement``)."""

    model_config = ConfigDict(extra="ignore")

    org: str = ""
    new_name: str = ""
    new_movement: str = ""
    kind: str = "coalition"
    strength: int | str = 3
    since: str | None = None
    visibility: str = "coalition"


class SurveyAnswer(BaseModel):
    """A whole answer: the corrected record and the partners."""

    model_config = ConfigDict(extra="ignore")

    record: dict[str, Any] = {}
    partners: list[PartnerReport] = Field(default=[], max_length=MAX_PARTNERS)


def _choices(snapshot: dict[str, Any], org: str) -> list[dict[str, Any]]:
    """The organizations a respondent may name, with a line to recognise each by."""
    movement_names = {m["id"]: movement_label(m) for m in snapshot["movements"]}
    choices = []
    for o in snapshot["organizations"]:
        if o["id"] == org or not can_see(AUDIENCE, o["visibility"]):
            continue
        movements = [movement_names.get(m, m) for m in o["movements"]]
        line = " · ".join(part for part in (o["kind"], ", ".join(movements), region_label(o["region"])) if part)
        choices.append({"id": o["id"], "name": o["name"], "movements": o["movements"], "region": o["region"],
                        "line": line, "created_at": o.get("created_at")})  # fmt: skip
    return sorted(choices, key=lambda c: c["name"].lower())


def _own(snapshot: dict[str, Any], org: str) -> dict[str, Any]:
    for o in snapshot["organizations"]:
        if o["id"] == org:
            return o
    raise NotFound(_("organization '{organization}' is no longer in the map").format(organization=org))


def _placed(problems: list[Problem], where: str) -> InvalidInput:
    """Problems of an answer, each saying which answer (a file, a form) it is in."""
    return InvalidInput([Problem(p.message, file=where, row=p.row, field=p.field) for p in problems])


def last_answer(store: Store, org: str, round_id: str) -> Record | None:
    """The organization's answer in this round, else its newest accepted one."""
    answers = [a for a in store.side_records("answer") if a["org"] == org]
    here = [a for a in answers if a["round"] == round_id]
    if here:
        return here[0]
    accepted = [a for a in answers if a["body"]["status"] == ACCEPTED]
    return max(accepted, key=lambda a: a["body"]["submitted_at"], default=None)


def form_for(store: Store, link: Link) -> dict[str, Any]:
    """Everything the form of ``link`` shows, for its audience only.

    ``record`` and ``partners`` are pre-filled from the last answer (this round's, else
    the last accepted one) or from the map; ``new_since_last_answer`` lists the names
    added to the map since that answer, so a respondent can look at those only."""
    snapshot = store.snapshot()
    own = _own(snapshot, link.org)
    choices = _choices(snapshot, link.org)
    visible = {c["id"] for c in choices}
    previous = last_answer(store, link.org, link.round)
    if previous is not None:
        answer = previous["body"]["answer"]
        record = {f: answer["record"].get(f, own[f]) for f in ANSWER_FIELDS}
        partners = [p for p in answer["partners"] if p.get("new_name") or p.get("org") in visible]
        since = previous["body"]["submitted_at"]
        new = [c for c in choices if (c["created_at"] or "") > since]
    else:
        record = {f: own[f] for f in ANSWER_FIELDS}
        partners = [
            {"org": t["target"] if t["source"] == link.org else t["source"], "new_name": "", "new_movement": "",
             "kind": t["kind"], "strength": t["strength"], "since": t["since"], "visibility": t["visibility"]}
            for t in snapshot["ties"]
            if link.org in (t["source"], t["target"]) and can_see(AUDIENCE, t["visibility"])
            and ({t["source"], t["target"]} - {link.org}) <= visible
        ]  # fmt: skip
        new = []
    return {
        "round": link.round,
        "org": link.org,
        "record": record,
        "partners": partners,
        "choices": [{k: c[k] for k in ("id", "name", "movements", "region", "line")} for c in choices],
        "movements": [{"id": m["id"], "name": m["name"]} for m in snapshot["movements"]],
        "new_since_last_answer": [c["id"] for c in new],
        "status": previous["body"]["status"] if previous is not None and previous["round"] == link.round else None,
    }


def validate_answer(store: Store, link: Link, data: dict[str, Any], where: str | None = None) -> dict[str, Any]:
    """The answer as it will be stored, or ``InvalidInput`` naming each problem (which
    field, which partner). Partners must be on the list the form offered. ``where``
    names the answer in the problems (a file's name; default: "answer")."""
    # TRANSLATORS: where a problem is, in a survey answer sent from the form
    where = where or _("answer")
    try:
        answer = SurveyAnswer.model_validate(data)
    except ValidationError as e:
        raise _placed(plain_problems(e, data, subject="answer"), where) from e
    snapshot = store.snapshot()
    own = _own(snapshot, link.org)
    unknown = sorted(set(answer.record) - set(ANSWER_FIELDS))
    if unknown:
        raise CoalitionError(
            _("{where}: field '{field}' cannot be answered; fields: {fields}").format(
                where=where, field=unknown[0], fields=", ".join(ANSWER_FIELDS)
            )
        )
    movements = {m["id"] for m in snapshot["movements"]}
    try:
        org = Organization.model_validate({**own, **answer.record}, context={"movements": movements})
    except ValidationError as e:
        raise _placed(plain_problems(e, {**own, **answer.record}, subject="organization"), where) from e
    visible = {c["id"] for c in _choices(snapshot, link.org)}
    partners, seen = [], set()
    for number, partner in enumerate(answer.partners, 1):
        # TRANSLATORS: where a problem is: "answer, partner 3"
        here = _("{where}, partner {number}").format(where=where, number=number)
        new_name = partner.new_name.strip()
        if bool(partner.org) == bool(new_name):
            raise CoalitionError(
                _("{where}: pick a group from the list or name a group not on it (one of the two)").format(where=here)
            )
        if partner.org and partner.org not in visible:
            raise CoalitionError(
                _("{where}: '{organization}' is not on the list of groups this form offers").format(
                    where=here, organization=partner.org
                )
            )
        if new_name and partner.new_movement not in movements:
            raise CoalitionError(
                _("{where}: say which movement '{group}' is part of").format(where=here, group=new_name)
            )
        other = partner.org or slugify(new_name) or "new_group"
        tie_data = {"source": link.org, "target": other, "kind": partner.kind, "strength": partner.strength,
                    "since": partner.since, "visibility": partner.visibility}  # fmt: skip
        try:
            tie = Tie.model_validate(tie_data)
        except ValidationError as e:
            problem = plain_problems(e, tie_data, subject="tie")[0]
            raise CoalitionError(_field_problem(here, problem.field, problem.message)) from e
        try:
            name = GROUP_NAME.validate_python(new_name) if new_name else ""
        except ValidationError as e:
            problem = plain_problems(e, {"name": new_name}, subject="organization")[0]
            raise CoalitionError(_field_problem(here, "new_name", problem.message)) from e
        key = (partner.org or name.lower(), tie.kind)
        if key in seen:
            continue  # the same partner and kind twice: once is enough
        seen.add(key)
        partners.append({"org": partner.org, "new_name": name, "new_movement": partner.new_movement if name else "",
                         "kind": tie.kind, "strength": tie.strength, "since": tie.since.isoformat() if tie.since else None,
                         "visibility": tie.visibility})  # fmt: skip
    record = {f: getattr(org, f) for f in ANSWER_FIELDS}
    return {"record": record, "partners": partners}


def _field_problem(where: str, field: str, problem: str) -> str:
    """A problem of one field of a partner ("answer, partner 2, field strength: ...")."""
    if field:
        return _("{where}, field {field}: {problem}").format(where=where, field=field, problem=problem)
    return _("{where}: {problem}").format(where=where, problem=problem)


def save_answer(
    store: Store, token: str, data: dict[str, Any], today: date | None = None, where: str | None = None
) -> Link:
    """Check the token, validate the answer and keep it (replacing this round's earlier
    answer of the organization) for review; recorded as ``survey:ROUND:ORG``."""
    link = open_link(store, token, today=today)
    answer = validate_answer(store, link, data, where=where)
    body = {"status": WAITING, "submitted_at": now_iso(), "answer": answer, "reviewed_at": None, "reviewed_by": None}
    with acting_as(f"survey:{link.round}:{link.org}"):
        store.write_side_records([{"kind": "answer", "round": link.round, "org": link.org, "body": body}])
    return link
