"""One error hierarchy. The CLI and the dashboard turn these into one clear sentence.

Store errors come from ``graph.errors``; ``USER_ERRORS`` names everything a boundary
should show to a person instead of a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass

from graph.errors import StoreError

__all__ = ["CoalitionError", "InvalidInput", "NotFound", "Problem", "USER_ERRORS"]


class CoalitionError(Exception):
    """Something a user asked for cannot be done; the message says why."""


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


USER_ERRORS = (CoalitionError, StoreError)
