"""The domain's errors, children of the one root ``CoalitionError`` (``graph.errors``,
the bottom layer, where store errors live too). The CLI and the dashboard turn any of
them into one clear sentence; ``USER_ERRORS`` names what a boundary catches.
"""

from __future__ import annotations

from dataclasses import dataclass

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
