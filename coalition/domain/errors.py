"""The domain's errors, children of the one root ``CoalitionError`` (``graph.errors``,
the bottom layer, where store errors live too). The CLI and the dashboard turn any of
them into one clear sentence; ``USER_ERRORS`` names what a boundary catches.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from coalition.i18n import N_, _, ngettext
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


#: How a problem says where it is, by which of its file, row and field it knows (one
#: whole sentence each, so a translation may order them as its language does).
WHERE = {
    (True, True, True): N_("{file}, row {row}, field {field}: {problem}"),
    (True, True, False): N_("{file}, row {row}: {problem}"),
    (True, False, True): N_("{file}, field {field}: {problem}"),
    (True, False, False): N_("{file}: {problem}"),
    (False, True, True): N_("row {row}, field {field}: {problem}"),
    (False, True, False): N_("row {row}: {problem}"),
    (False, False, True): N_("field {field}: {problem}"),
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with input: where it is and why, for a validation report."""

    message: str
    file: str = ""
    row: int | None = None
    field: str = ""

    def __str__(self) -> str:
        known = (bool(self.file), self.row is not None, bool(self.field))
        if not any(known):
            return self.message
        return _(WHERE[known]).format(file=self.file, row=self.row, field=self.field, problem=self.message)


class InvalidInput(CoalitionError):
    """Input that cannot be taken; ``problems`` lists every problem found (up to a cap)."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        first = str(problems[0]) if problems else _("invalid input")
        more = len(problems) - 1
        if more > 0:
            first = ngettext(
                "{problem} (and {count} more problem; --dry-run lists them all)",
                "{problem} (and {count} more problems; --dry-run lists them all)",
                more,
            ).format(problem=first, count=more)
        super().__init__(first)


#: What a boundary (CLI, dashboard) shows as one sentence: every error of the hierarchy.
USER_ERRORS = (CoalitionError,)


#: What to do about a field left empty, for the fields a form asks for first (the name's
#: in ``NAMING``), read through ``_()`` when told; ``EMPTY`` for the others.
WHEN_EMPTY = {
    "movements": N_("pick one or more movements"),
    "source": N_("pick the organization the tie starts from"),
    "target": N_("pick the organization the tie goes to"),
}
EMPTY = N_("cannot be empty")
#: By what ``plain_problems`` is told it checks: what to do about a name left empty, and
#: about a name of symbols only (the id is made from the name), one whole sentence each.
NAMING = {
    "organization": (
        N_("give the organization a name"),
        N_("use at least one letter or digit: the organization's id is made from the name"),
    ),
    "group": (
        N_("give the group a name"),
        N_("use at least one letter or digit: the group's id is made from the name"),
    ),
    "movement": (
        N_("give the movement a name"),
        N_("use at least one letter or digit: the movement's id is made from the name"),
    ),
}
#: The same for any other subject, which is then an English word inside the sentence.
OTHER_NAMING = (
    # TRANSLATORS: {subject} is an English word, such as "answer"
    N_("give the {subject} a name"),
    # TRANSLATORS: {subject} is an English word, such as "answer"
    N_("use at least one letter or digit: the {subject}'s id is made from the name"),
)


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
            field, message = "name", _(NAMING.get(subject, OTHER_NAMING)[1]).format(subject=subject)
        else:
            message = _plain_message(err, field, subject)
        problems.append(Problem(message=message, field=field))
    return problems


def _plain_message(err: Any, field: str, subject: str) -> str:
    """One pydantic error as a person would say it."""
    kind, limits, given = err["type"], err.get("ctx") or {}, err.get("input")
    empty = given is None or (isinstance(given, str | list) and not given)
    if kind == "missing" or (empty and kind in ("too_short", "string_too_short", "value_error")):
        if field == "name":
            return _(NAMING.get(subject, OTHER_NAMING)[0]).format(subject=subject)
        return _(WHEN_EMPTY.get(field, EMPTY))
    if kind in ("too_long", "string_too_long"):
        most, count = limits["max_length"], len(given)
        if isinstance(given, list):
            return ngettext(
                "at most {most:,} item (this has {count:,})", "at most {most:,} items (this has {count:,})", most
            ).format(most=most, count=count)
        return ngettext(
            "at most {most:,} character (this has {count:,})", "at most {most:,} characters (this has {count:,})", most
        ).format(most=most, count=count)
    if kind == "greater_than_equal":
        return _("at least {least} (got {value})").format(least=limits["ge"], value=given)
    if kind == "less_than_equal":
        return _("at most {most} (got {value})").format(most=limits["le"], value=given)
    if kind in ("int_parsing", "int_type", "int_from_float"):
        # the value as given: a text in quotes, a number as it is
        return _("a whole number (got {value})").format(value=repr(given))
    message = err["msg"].removeprefix("Value error, ")
    return message[:1].lower() + message[1:]
