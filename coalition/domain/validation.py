"""Turn raw rows read from a file or a form into validated models, listing every problem.

A parser yields ``RawRow``s that remember where they came from (file and row), so each
problem names the file, the row and the field. Nothing is written until the whole map
validates: imports are all-or-nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from coalition.domain.errors import Problem
from coalition.domain.models import Introduction, Movement, Organization, Tie
from coalition.domain.settings import ImportLimits

__all__ = ["RawRow", "RawMap", "ValidMap", "validate_map", "problems_from", "too_many_records", "MAX_PROBLEMS"]

#: A validation report stops listing after this many problems.
MAX_PROBLEMS = 200


@dataclass
class RawRow:
    """One record as read, before validation, with where it came from."""

    data: dict[str, Any]
    file: str = ""
    row: int | None = None


@dataclass
class RawMap:
    """Everything a parser read from one file (or folder, or archive)."""

    movements: list[RawRow] = field(default_factory=list)
    organizations: list[RawRow] = field(default_factory=list)
    ties: list[RawRow] = field(default_factory=list)
    introductions: list[RawRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


@dataclass
class ValidMap:
    """A validated map, ready for a store, and the problems found on the way."""

    movements: list[Movement] = field(default_factory=list)
    organizations: list[Organization] = field(default_factory=list)
    ties: list[Tie] = field(default_factory=list)
    introductions: list[Introduction] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def records(self) -> dict[str, list[dict[str, Any]]]:
        """Plain records by kind, as ``Store.write_map`` takes them."""
        return {
            "movements": [m.to_record() for m in self.movements],
            "organizations": [o.to_record() for o in self.organizations],
            "ties": [t.to_record() for t in self.ties],
            "introductions": [i.to_record() for i in self.introductions],
        }


def problems_from(error: ValidationError, file: str = "", row: int | None = None) -> list[Problem]:
    """One Problem per pydantic error, worded for people."""
    problems = []
    for err in error.errors():
        name = ".".join(str(part) for part in err["loc"] if not isinstance(part, int)) or ""
        message = err["msg"].removeprefix("Value error, ")
        given = err.get("input")
        if err["type"] == "missing":
            message = "is required"
        elif isinstance(given, str | int | float) and "got" not in message and not isinstance(given, bool):
            shown = given if not isinstance(given, str) or len(given) <= 40 else given[:40] + "..."
            message = f"{message[0].lower()}{message[1:]} (got {shown!r})"
        problems.append(Problem(message=message, file=file, row=row, field=name))
    return problems


def too_many_records(held: int | None, max_rows: int, file: str = "") -> Problem:
    """The refusal of a file with more than ``max_rows`` records: ``held`` of them when
    the number is known (a reader that stops at the first record past the limit knows
    only that there are more)."""
    count = f"{held:,}" if held is not None else f"more than {max_rows:,}"
    return Problem(
        f"holds {count} records; the most one import accepts is {max_rows:,} "
        "(set COALITION_MAX_IMPORT_ROWS to change it)",
        file=file,
    )


def validate_map(
    raw: RawMap,
    known_movements: set[str],
    known_organizations: set[str] = frozenset(),
    max_rows: int = ImportLimits.max_rows,
) -> ValidMap:
    """Validate every row against the models and against each other.

    ``known_movements`` and ``known_organizations`` are those already in the store:
    organizations may name them, and ties may point at them. A map of more than
    ``max_rows`` records is refused whole (``Settings.import_limits``).
    """
    rows = len(raw.movements) + len(raw.organizations) + len(raw.ties) + len(raw.introductions)
    if rows > max_rows:
        return ValidMap(problems=[too_many_records(rows, max_rows)])
    result = ValidMap(problems=list(raw.problems))
    movements = _validate_rows(raw.movements, Movement, result.problems, key=lambda m: m.id)
    result.movements = movements
    all_movements = set(known_movements) | {m.id for m in movements}
    result.organizations = _validate_rows(
        raw.organizations, Organization, result.problems, key=lambda o: o.id, context={"movements": all_movements}
    )
    org_ids = set(known_organizations) | {o.id for o in result.organizations}
    result.ties = _validate_rows(
        raw.ties, Tie, result.problems, key=lambda t: (t.source, t.target, t.kind), endpoints=org_ids
    )
    result.introductions = _validate_rows(
        raw.introductions, Introduction, result.problems, key=lambda i: (i.a, i.b), endpoints=org_ids
    )
    del result.problems[MAX_PROBLEMS:]
    return result


def _validate_rows(rows, model, problems, key, context=None, endpoints=None):
    valid, seen = [], {}
    for raw in rows:
        if len(problems) >= MAX_PROBLEMS:
            break
        try:
            item = model.model_validate(raw.data, context=context)
        except ValidationError as e:
            problems.extend(problems_from(e, raw.file, raw.row))
            continue
        if endpoints is not None:
            missing = [
                (name, value)
                for name in ("source", "target", "a", "b", "broker")
                if (value := getattr(item, name, None)) and value not in endpoints
            ]
            if missing:
                name, value = missing[0]
                problems.append(Problem(f"unknown organization {value!r}", raw.file, raw.row, name))
                continue
        item_key = key(item)
        if item_key in seen:
            problems.append(
                Problem(f"duplicate of row {seen[item_key]} ({_describe_key(item_key)})", raw.file, raw.row)
            )
            continue
        seen[item_key] = raw.row
        valid.append(item)
    return valid


def _describe_key(key: Any) -> str:
    return " / ".join(key) if isinstance(key, tuple) else str(key)
