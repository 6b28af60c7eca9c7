"""Turn raw rows read from a file or a form into validated models, listing every problem.

A parser yields ``RawRow``s that remember where they came from (file and row), so each
problem names the file, the row and the field. Nothing is written until the whole map
validates: imports are all-or-nothing.

Organizations and ties are first checked a whole column at a time
(``coalition.domain.columns``): a row that passes there is the record its model gives,
and only the other rows are checked by the models, so a large file validates in a
fraction of the time and a bad row still gets the model's own words.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from pydantic import BaseModel, ValidationError

from coalition.domain.columns import organization_records, tie_records
from coalition.domain.errors import Problem
from coalition.domain.models import Introduction, Movement, Organization, Tie, ValueGiven
from coalition.domain.settings import ImportLimits
from coalition.i18n import _, ngettext

__all__ = ["RawRow", "RawMap", "ValidMap", "validate_map", "problems_from", "too_many_records", "MAX_PROBLEMS"]

#: A validation report stops listing after this many problems.
MAX_PROBLEMS = 200
#: ``progress(rows)`` is told how many more rows were checked, every ``PROGRESS_EVERY``.
PROGRESS_EVERY = 500

Record = dict[str, Any]


@dataclass(slots=True)
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
    """A validated map as the records its models give (``to_record``), ready for a
    store, and the problems found on the way."""

    movements: list[Record] = field(default_factory=list)
    organizations: list[Record] = field(default_factory=list)
    ties: list[Record] = field(default_factory=list)
    introductions: list[Record] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def records(self) -> dict[str, list[Record]]:
        """Records by kind, as ``Store.write_map`` takes them."""
        return {
            "movements": self.movements,
            "organizations": self.organizations,
            "ties": self.ties,
            "introductions": self.introductions,
        }


def problems_from(error: ValidationError, file: str = "", row: int | None = None) -> list[Problem]:
    """One Problem per pydantic error, worded for people: the value given is added after
    the words unless they already end with it (our ``ValueGiven``, or pydantic's own
    "got ...", which is English)."""
    problems = []
    for err in error.errors():
        name = ".".join(str(part) for part in err["loc"] if not isinstance(part, int)) or ""
        message = err["msg"].removeprefix("Value error, ")
        given = err.get("input")
        said = isinstance((err.get("ctx") or {}).get("error"), ValueGiven) or (
            err["type"] != "value_error" and "got" in message
        )
        if err["type"] == "missing":
            message = _("is required")
        elif isinstance(given, str | int | float) and not said and not isinstance(given, bool):
            shown = given if not isinstance(given, str) or len(given) <= 40 else given[:40] + "..."
            # the value as given: a text in quotes, a number as it is
            message = _("{problem} (got {value})").format(problem=message[0].lower() + message[1:], value=repr(shown))
        problems.append(Problem(message=message, file=file, row=row, field=name))
    return problems


def too_many_records(held: int | None, max_rows: int, file: str = "") -> Problem:
    """The refusal of a file with more than ``max_rows`` records: ``held`` of them when
    the number is known (a reader that stops at the first record past the limit knows
    only that there are more)."""
    if held is None:
        # TRANSLATORS: the English says "records" for one too; use your language's forms
        message = ngettext(
            "holds more than {most:,} records; the most one import accepts is {most:,} "
            "(set COALITION_MAX_IMPORT_ROWS to change it)",
            "holds more than {most:,} records; the most one import accepts is {most:,} "
            "(set COALITION_MAX_IMPORT_ROWS to change it)",
            max_rows,
        ).format(most=max_rows)
    else:
        # TRANSLATORS: the English says "records" for one too; use your language's forms
        message = ngettext(
            "holds {count:,} records; the most one import accepts is {most:,} "
            "(set COALITION_MAX_IMPORT_ROWS to change it)",
            "holds {count:,} records; the most one import accepts is {most:,} "
            "(set COALITION_MAX_IMPORT_ROWS to change it)",
            held,
        ).format(count=held, most=max_rows)
    return Problem(message, file=file)


def validate_map(
    raw: RawMap,
    known_movements: set[str],
    known_organizations: set[str] = frozenset(),
    max_rows: int = ImportLimits.max_rows,
    progress: Callable[[int], object] | None = None,
) -> ValidMap:
    """Validate every row against the models and against each other.

    ``known_movements`` and ``known_organizations`` are those already in the store:
    organizations may name them, and ties may point at them. A map of more than
    ``max_rows`` records is refused whole (``Settings.import_limits``). ``progress``
    is told how many more rows were checked as they are (see ``PROGRESS_EVERY``).
    """
    rows = len(raw.movements) + len(raw.organizations) + len(raw.ties) + len(raw.introductions)
    if rows > max_rows:
        return ValidMap(problems=[too_many_records(rows, max_rows)])
    result = ValidMap(problems=list(raw.problems))
    check = _Checker(result.problems, progress)
    result.movements = check(raw.movements, Movement, key=itemgetter("id"))
    all_movements = set(known_movements) | {m["id"] for m in result.movements}
    result.organizations = check(
        raw.organizations,
        Organization,
        key=itemgetter("id"),
        context={"movements": all_movements},
        fast=organization_records([row.data for row in raw.organizations], all_movements),
    )
    org_ids = set(known_organizations) | {o["id"] for o in result.organizations}
    result.ties = check(
        raw.ties,
        Tie,
        key=itemgetter("source", "target", "kind"),
        ends=("source", "target"),
        known=org_ids,
        fast=tie_records([row.data for row in raw.ties]),
    )
    result.introductions = check(
        raw.introductions, Introduction, key=itemgetter("a", "b"), ends=("a", "b", "broker"), known=org_ids
    )
    del result.problems[MAX_PROBLEMS:]
    return result


@dataclass
class _Checker:
    """Checks the rows of one kind after another into records, adding to one list of
    problems: each row's fields (the record ``fast`` holds for it, else its model), the
    organizations it points at, and its key against the rows before it."""

    problems: list[Problem]
    progress: Callable[[int], object] | None = None

    def __call__(
        self,
        rows: list[RawRow],
        model: type[BaseModel],
        key: Callable[[Record], Any],
        context: dict[str, Any] | None = None,
        ends: tuple[str, ...] = (),
        known: set[str] = frozenset(),
        fast: list[Record | None] | None = None,
    ) -> list[Record]:
        if fast is not None and self._all_good(fast, key, ends, known):
            self._report(len(rows))
            return fast  # type: ignore[return-value]
        problems = self.problems
        valid: list[Record] = []
        seen: dict[Any, int | None] = {}
        for index, raw in enumerate(rows):
            if len(problems) >= MAX_PROBLEMS:
                break
            if self.progress is not None and index % PROGRESS_EVERY == PROGRESS_EVERY - 1:
                self.progress(PROGRESS_EVERY)
            record = fast[index] if fast is not None else None
            if record is None:
                try:
                    record = model.model_validate(raw.data, context=context).to_record()
                except ValidationError as e:
                    problems.extend(problems_from(e, raw.file, raw.row))
                    continue
            unknown = next(((end, record[end]) for end in ends if record.get(end) and record[end] not in known), None)
            if unknown is not None:
                message = _("unknown organization '{organization}'").format(organization=unknown[1])
                problems.append(Problem(message, raw.file, raw.row, unknown[0]))
                continue
            item_key = key(record)
            if item_key in seen:
                message = _("duplicate of row {row} ({key})").format(row=seen[item_key], key=_describe_key(item_key))
                problems.append(Problem(message, raw.file, raw.row))
                continue
            seen[item_key] = raw.row
            valid.append(record)
        if self.progress is not None and rows:
            self.progress(len(rows) % PROGRESS_EVERY)
        return valid

    def _all_good(
        self, fast: list[Record | None], key: Callable[[Record], Any], ends: tuple[str, ...], known: set[str]
    ) -> bool:
        """True when the row by row check could find nothing: every row has its record,
        points at known organizations only, and holds a key of its own (so the records
        are the answer as they are, checked in a few passes over whole columns)."""
        if len(self.problems) >= MAX_PROBLEMS or None in fast:
            return False
        for end in ends:
            if not {record[end] for record in fast if record.get(end)} <= known:
                return False
        return len(set(map(key, fast))) == len(fast)

    def _report(self, rows: int) -> None:
        if self.progress is not None:
            for _unused in range(rows // PROGRESS_EVERY):
                self.progress(PROGRESS_EVERY)
            if rows % PROGRESS_EVERY:
                self.progress(rows % PROGRESS_EVERY)


def _describe_key(key: Any) -> str:
    return " / ".join(key) if isinstance(key, tuple) else str(key)
