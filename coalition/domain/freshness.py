"""When a tie was last confirmed, when that makes it stale, and what a stale tie weighs.

Ties fade between meetings: a partnership recorded two years ago and never mentioned
since may be gone. The map keeps, for each tie, the day someone last confirmed it
(``confirmed``: a survey answer naming it, ``coalition tie confirm``, an edit in the
dashboard or the CLI); a tie never confirmed since it was added counts from the day it
entered the map (its ``created_at``). A record from outside a store with neither is never
stale.

A tie is **stale** when that day is more than ``months`` calendar months before today
(default 12, COALITION_STALE_MONTHS). A tie that has ended (``until`` before today) is
history, not stale.

In the gaps analysis and the introductions, a stale working tie counts with its strength
times ``weight`` (COALITION_STALE_TIE_WEIGHT, default 0.5), rounded half up and never
below 1: 5 -> 3, 4 -> 2, 3 -> 2, 2 -> 1, 1 -> 1. A weight of 1 leaves stale ties as they
are; 0 leaves them out, so two movements tied only by stale ties show as a gap. A
conflict tie is never weighed: a stale conflict still keeps an introduction from being
suggested across it.
"""

from __future__ import annotations

import calendar
import math
from dataclasses import dataclass
from datetime import date
from typing import Any

from coalition.i18n import ngettext

__all__ = [
    "Freshness",
    "is_stale",
    "last_confirmed",
    "mark_stale",
    "months_before",
    "stale_sentence",
    "weigh_stale",
]


@dataclass(frozen=True)
class Freshness:
    """How old a confirmation may be (``months``) and what a stale tie weighs (0 to 1)."""

    months: int = 12
    weight: float = 0.5

    def cutoff(self, today: date | None = None) -> date:
        """The first day a confirmation still counts as fresh."""
        return months_before(today or date.today(), self.months)

    def strength(self, strength: int) -> int:
        """A stale tie's strength as the analyses count it (0: left out)."""
        if self.weight <= 0:
            return 0
        return max(1, math.floor(strength * self.weight + 0.5))


def months_before(day: date, months: int) -> date:
    """``day`` moved back by whole calendar months (31 March - 1 month = 28 or 29 February)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def last_confirmed(tie: dict[str, Any]) -> date | None:
    """The day the tie was last confirmed, else the day it was added, else None."""
    for field in ("confirmed", "created_at"):
        value = tie.get(field)
        if value:
            return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    return None


def is_stale(tie: dict[str, Any], cutoff: date, today: date | None = None) -> bool:
    """True when the tie is current and was last confirmed before ``cutoff``."""
    return _stale(tie, cutoff.isoformat(), (today or date.today()).isoformat())


def _stale(tie: dict[str, Any], cutoff: str, today: str) -> bool:
    """``is_stale`` on ISO text (dates compare as their text does), for whole maps."""
    until = tie.get("until")
    if until and str(until)[:10] < today:
        return False
    confirmed = tie.get("confirmed") or tie.get("created_at")
    return bool(confirmed) and str(confirmed)[:10] < cutoff


def stale_sentence(summary: dict[str, Any]) -> str:
    """What the analysis did with stale ties, from a gaps summary: "3 ties not confirmed
    in 12 months count at 0.5 of their strength." """
    count, months, weight = summary["stale_ties"], summary["stale_after_months"], summary["stale_tie_weight"]
    period = ngettext("{count} month", "{count} months", months).format(count=months)
    if weight <= 0:
        sentence = ngettext(
            "{count} tie not confirmed in {period} left out (COALITION_STALE_TIE_WEIGHT is 0).",
            "{count} ties not confirmed in {period} left out (COALITION_STALE_TIE_WEIGHT is 0).",
            count,
        )
    elif weight >= 1:
        sentence = ngettext(
            "{count} tie not confirmed in {period} counted in full.",
            "{count} ties not confirmed in {period} counted in full.",
            count,
        )
    else:
        # TRANSLATORS: {period} is "12 months"; {weight} a number from 0 to 1, such as 0.5
        sentence = ngettext(
            "{count} tie not confirmed in {period} count at {weight:g} of their strength.",
            "{count} ties not confirmed in {period} count at {weight:g} of their strength.",
            count,
        )
    return sentence.format(count=count, period=period, weight=weight)


def mark_stale(
    ties: list[dict[str, Any]], freshness: Freshness | None = None, today: date | None = None
) -> list[dict[str, Any]]:
    """The ties with ``stale`` (True or False) set, for maps that draw stale ties faded."""
    today = today or date.today()
    cutoff, day = (freshness or Freshness()).cutoff(today).isoformat(), today.isoformat()
    return [{**tie, "stale": _stale(tie, cutoff, day)} for tie in ties]


def weigh_stale(view: dict[str, Any], freshness: Freshness, today: date | None = None) -> dict[str, Any]:
    """The view with its stale working ties weighed as the module docstring says, and
    ``stale_ties`` counting them (the view itself is not changed)."""
    today = today or date.today()
    cutoff, day = freshness.cutoff(today).isoformat(), today.isoformat()
    ties, stale = [], 0
    for tie in view.get("ties", []):
        if tie.get("kind") != "conflict" and _stale(tie, cutoff, day):
            stale += 1
            if freshness.weight >= 1:
                ties.append(tie)
                continue
            strength = freshness.strength(int(tie.get("strength") or 1))
            if strength:
                ties.append({**tie, "strength": strength})
            continue
        ties.append(tie)
    return {**view, "ties": ties, "stale_ties": stale}
