"""``coalition check``: is the stored map whole and sound?

Two layers. The backend checks how the map is stored (``Store.check``): SQLite's own
``integrity_check`` and foreign keys, Neo4j's constraints and indexes, applied
migrations, and references that point nowhere (ties or introductions to missing
organizations, organizations without a known movement, unknown visibilities). Then the
domain checks every record against the models, as an import would have: a file edited
by other tools, or a bug, shows up here and not later in an analysis.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from coalition.domain.models import Introduction, Movement, Organization, Tie
from coalition.domain.validation import problems_from
from coalition.i18n import _
from graph.store import Store

__all__ = ["check", "MAX_PROBLEMS"]

#: ``check`` stops listing after this many problems.
MAX_PROBLEMS = 200


def check(store: Store) -> list[str]:
    """Every problem found in the store, one sentence each; empty when all is well.

    Examples
    --------
    >>> check(store)  # doctest: +SKIP
    []
    """
    problems = store.check()
    if any(p.startswith("migrations not applied: 0001_initial") for p in problems):
        return problems
    content = store.dump()
    movements = {m["id"] for m in content["movements"]}
    org_ids = {o["id"] for o in content["organizations"]}
    for kind, model, label, context in (
        ("movements", Movement, _movement_label, None),
        ("organizations", Organization, _org_label, {"movements": movements}),
        ("ties", Tie, _tie_label, None),
        ("introductions", Introduction, _intro_label, None),
    ):
        for record in content[kind]:
            # TRANSLATORS: {record} is "organization casa_y", "tie a -> b (funding)"...
            problems.extend(
                _("{record}: {problem}").format(record=label(record), problem=p)
                for p in _invalid(model, record, context)
            )
    for tie in content["ties"]:
        for end in ("source", "target"):
            if tie[end] not in org_ids:
                problems.append(_missing_end(_tie_label(tie), tie[end]))
    for intro in content["introductions"]:
        for end in ("a", "b", "broker"):
            if intro.get(end) and intro[end] not in org_ids:
                problems.append(_missing_end(_intro_label(intro), intro[end]))
    seqs = [entry["seq"] for entry in content["audit"]]
    if len(seqs) != len(set(seqs)):
        problems.append(_("the audit trail holds two entries with one number"))
    return list(dict.fromkeys(problems))[:MAX_PROBLEMS]


def _invalid(model: type, record: dict[str, Any], context: dict[str, Any] | None) -> list[str]:
    try:
        model.model_validate(record, context=context)
    except ValidationError as e:
        return [str(problem) for problem in problems_from(e)]
    return []


def _missing_end(record: str, org_id: Any) -> str:
    return _("{record}: points at a missing organization '{organization}'").format(record=record, organization=org_id)


def _movement_label(record: dict[str, Any]) -> str:
    return _("movement {movement}").format(movement=record.get("id"))


def _org_label(record: dict[str, Any]) -> str:
    return _("organization {organization}").format(organization=record.get("id"))


def _tie_label(record: dict[str, Any]) -> str:
    # TRANSLATORS: {kind} is a tie's kind as stored (funding, working_group...)
    return _("tie {source} -> {target} ({kind})").format(
        source=record.get("source"), target=record.get("target"), kind=record.get("kind")
    )


def _intro_label(record: dict[str, Any]) -> str:
    return _("introduction {first} / {second}").format(first=record.get("a"), second=record.get("b"))
