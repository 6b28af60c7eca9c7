"""Ties that age: where each came from, which ones nobody has confirmed for a while, and
confirming one (``coalition tie stale``, ``coalition tie confirm``, the Ties page).

Every tie carries ``provenance``, where it came from, set when it is added and kept
through later edits: ``form`` (the dashboard), ``cli``, ``import:FILE`` (the file's name,
never its folder), ``survey:ROUND`` or ``introduction`` (a made introduction's new tie).
A file that carries a provenance or a confirmation date for a tie keeps it (a map moved
between stores, or exported and imported again, stays the same).

``confirmed`` is the day someone last said the tie still holds. Adding or editing a tie
by hand, a survey answer that reports it (changed or the same) and ``tie confirm`` set it
to today; an import sets it only from the file, and an empty cell never erases one. What
"stale" means and what a stale tie weighs: ``coalition.domain.freshness``.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from coalition.domain.errors import CoalitionError, NotFound
from coalition.domain.freshness import Freshness, is_stale, last_confirmed
from coalition.domain.models import TIE_KINDS
from coalition.domain.privacy import read_view
from coalition.i18n import _, ngettext
from graph.store import Record, Store

__all__ = [
    "CLI",
    "FORM",
    "INTRODUCTION",
    "confirm_tie",
    "import_provenance",
    "stale_ties",
    "stamp_ties",
    "survey_provenance",
]

#: Provenance of a tie added in the dashboard, on the command line, or by an introduction.
FORM, CLI, INTRODUCTION = "form", "cli", "introduction"


def import_provenance(path: Path | str) -> str:
    """``import:NAME``: the file's name, never the folder it was in."""
    return f"import:{Path(path).name}"


def survey_provenance(round_id: str) -> str:
    return f"survey:{round_id}"


def stamp_ties(
    ties: list[Record], stored: list[Record] | dict[tuple, Record], provenance: str, confirmed: date | None = None
) -> list[Record]:
    """Each tie with its ``provenance`` and ``confirmed`` filled in.

    What the record carries wins; else a stored tie of the same key keeps its own
    provenance, and its confirmation unless ``confirmed`` (today, for a write that
    confirms) is given; a new tie gets ``provenance`` and ``confirmed``.
    ``stored`` is a list of tie records or a dict of them by (source, target, kind).
    """
    by_key = stored if isinstance(stored, dict) else {_key(t): t for t in stored}
    day = confirmed.isoformat() if confirmed else None
    stamped = []
    for tie in ties:
        old = by_key.get(_key(tie)) or {}
        stamped.append({
            **tie,
            "provenance": tie.get("provenance") or old.get("provenance") or provenance,
            "confirmed": _iso(tie.get("confirmed")) or day or _iso(old.get("confirmed")),
        })  # fmt: skip
    return stamped


def stale_ties(
    store: Store, freshness: Freshness | None = None, audience: str = "private", today: date | None = None
) -> dict[str, Any]:
    """The current ties the audience may see that nobody confirmed since the cutoff,
    oldest confirmation first: ``{"months", "before", "ties": [{source, source_name,
    target, target_name, kind, strength, provenance, confirmed, visibility}]}``, where
    ``confirmed`` is the last confirmation (or the day the tie was added)."""
    freshness = freshness or Freshness()
    today = today or date.today()
    cutoff = freshness.cutoff(today)
    view = read_view(store, audience)
    names = {o["id"]: o["name"] for o in view["organizations"]}
    rows = [_stale_row(t, names) for t in view["ties"] if is_stale(t, cutoff, today)]
    rows.sort(key=lambda r: (r["confirmed"] or "", r["source"], r["target"], r["kind"]))
    return {"months": freshness.months, "before": cutoff.isoformat(), "ties": rows}


def confirm_tie(
    store: Store, a: str, b: str, kind: str | None = None, actor: str | None = None, today: date | None = None
) -> Record:
    """Mark the tie between ``a`` and ``b`` (either direction) confirmed today. With
    several kinds between them, ``kind`` says which; the write is audited as an edit."""
    day = (today or date.today()).isoformat()
    if kind is not None and kind not in TIE_KINDS:
        raise CoalitionError(
            _("unknown tie kind '{kind}': use one of {kinds}").format(kind=kind, kinds=", ".join(TIE_KINDS))
        )
    with store.transaction():
        for end in (a, b):
            if store.get_organization(end) is None:
                raise NotFound(_("no organization with id '{organization}'").format(organization=end))
        kinds = (kind,) if kind else TIE_KINDS
        ties = [t for k in kinds for s, o in ((a, b), (b, a)) if (t := store.get_tie(s, o, k)) is not None]
        if not ties:
            raise NotFound(
                _("no {kind} tie between '{first}' and '{second}'").format(kind=kind, first=a, second=b)
                if kind
                else _("no tie between '{first}' and '{second}'").format(first=a, second=b)
            )
        if len(ties) > 1:
            kinds = ", ".join(sorted(t["kind"] for t in ties))
            raise CoalitionError(
                ngettext(
                    "{first} and {second} have {count} tie ({kinds}): name one with --kind",
                    "{first} and {second} have {count} ties ({kinds}): name one with --kind",
                    len(ties),
                ).format(first=a, second=b, count=len(ties), kinds=kinds)
            )
        tie = {**ties[0], "confirmed": day}
        store.write_map(ties=[tie], actor=actor)
        return store.get_tie(tie["source"], tie["target"], tie["kind"]) or tie


def _stale_row(tie: Record, names: dict[str, str]) -> Record:
    return {
        "source": tie["source"],
        "source_name": names[tie["source"]],
        "target": tie["target"],
        "target_name": names[tie["target"]],
        "kind": tie["kind"],
        "strength": tie["strength"],
        "provenance": tie.get("provenance") or "",
        "confirmed": _iso(last_confirmed(tie)),
        "visibility": tie["visibility"],
    }


def _key(tie: Record) -> tuple[str, str, str]:
    return (tie["source"], tie["target"], tie["kind"])


def _iso(value: Any) -> str | None:
    if not value:
        return None
    return value.isoformat() if isinstance(value, date) else str(value)[:10]
