"""The domain's errors, children of the one root ``CoalitionError`` (``graph.errors``,
the bottom layer, where store errors live too). The CLI and the dashboard turn any of
them into one clear sentence; ``USER_ERRORS`` names what a boundary catches.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from graph.errors import CoalitionError, StaleEdit, StoreError, StoreUnavailable

__all__ = [
    "CoalitionError",
    "InvalidInput",
    "NotFound",
    "Problem",
    "StaleEdit",
    "StoreError",
    "StoreUnavailable",
    "USER_ERRORS",
    "plain_problems",
]


class NotFound(CoalitionError):
    """An organization, tie or movement named by the user does not exist."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with input: where it is and why, for a validation report."""

    message: str
    file: str = ""
    row: int | None = None
    field: str = ""

    def __str__(self) -> str:
        where = [part for part in (self.file, f"row {self.row}" if self.row is not None else "") if part]
        if self.field:
            where.append(f"field {self.field}")
        return f"{', '.join(where)}: {self.message}" if where else self.message


class InvalidInput(CoalitionError):
    """Input that cannot be taken; ``problems`` lists every problem found (up to a cap)."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        first = str(problems[0]) if problems else "invalid input"
        more = len(problems) - 1
        suffix = f" (and {more} more problem{'s' if more > 1 else ''}; --dry-run lists them all)" if more else ""
        super().__init__(first + suffix)


#: What a boundary (CLI, dashboard) shows as one sentence: every error of the hierarchy.
USER_ERRORS = (CoalitionError,)


#: What to do about a field left empty, for the fields a form asks for first.
WHEN_EMPTY = {
    "name": "give the {subject} a name",
    "movements": "pick one or more movements",
    "source": "pick the organization the tie starts from",
    "target": "pick the organization the tie goes to",
}


def plain_problems(error: ValidationError, data: dict[str, Any], subject: str) -> list[Problem]:
    """The problems of one record typed by a person (a form, ``coalition org add``), in
    plain words: "give the organization a name", "at most 200 characters (this has 240)",
    never a validator's wording ("value should have at least 1 item after validation").

    An id the model made from the name is the name's problem: an empty name is said once,
    and a name of symbols only is told it needs a letter or digit.
    """
    derived_id = not str(data.get("id") or "").strip()
    problems: list[Problem] = []
    for err in error.errors():
        field = ".".join(str(part) for part in err["loc"] if not isinstance(part, int))
        if field == "id" and derived_id:
            if not str(data.get("name") or "").strip():
                continue
            field, message = "name", f"use at least one letter or digit: the {subject}'s id is made from the name"
        else:
            message = _plain_message(err, field, subject)
        problems.append(Problem(message=message, field=field))
    return problems


def _plain_message(err: Any, field: str, subject: str) -> str:
    """One pydantic error as a person would say it."""
    kind, limits, given = err["type"], err.get("ctx") or {}, err.get("input")
    empty = given is None or (isinstance(given, str | list) and not given)
    if kind == "missing" or (empty and kind in ("too_short", "string_too_short", "value_error")):
        return WHEN_EMPTY.get(field, "cannot be empty").format(subject=subject)
    if kind in ("too_long", "string_too_long"):
        unit = "items" if isinstance(given, list) else "characters"
        return f"at most {limits['max_length']:,} {unit} (this has {len(given):,})"
    bounds = {"greater_than_equal": "at least {ge}", "less_than_equal": "at most {le}"}
    if kind in bounds:
        return f"{bounds[kind].format(**limits)} (got {given})"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"a whole number (got {given!r})"
    message = err["msg"].removeprefix("Value error, ")
    return message[:1].lower() + message[1:]
