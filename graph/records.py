"""The shape of the records every store keeps, and their normal form.

Backends compare an incoming record with the stored one to decide whether it changed,
so both must look the same: every field present, text never None, lists as lists.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from graph.store import Record

__all__ = [
    "ORG_FIELDS",
    "ORG_LIST_FIELDS",
    "TIE_FIELDS",
    "INTRO_FIELDS",
    "normalize_organization",
    "normalize_tie",
    "normalize_introduction",
    "tie_has_ended",
]

#: Organization fields that hold lists.
ORG_LIST_FIELDS = ("languages", "issues", "offers", "needs")
ORG_TEXT_FIELDS = ("region", "access", "contact", "notes")
ORG_FIELDS = (
    "id", "name", "kind", "community_led", "region", "languages", "issues", "offers",
    "needs", "access", "contact", "contact_visibility", "visibility",
    "consent_to_introductions", "intro_capacity_per_month", "notes",
    "created_at", "updated_at", "version",
)  # fmt: skip
TIE_FIELDS = (
    "source", "target", "kind", "strength", "since", "until", "visibility", "notes",
    "provenance", "confirmed", "created_at", "updated_at", "version",
)  # fmt: skip
INTRO_FIELDS = (
    "a", "b", "broker", "score", "reasons", "status", "status_date", "note",
    "created_at", "updated_at",
)  # fmt: skip


def normalize_organization(org: Record) -> Record:
    """Every organization field, plus ``movements``, in normal form."""
    row = {f: org.get(f) for f in ORG_FIELDS}
    for field in ORG_LIST_FIELDS:
        row[field] = list(row[field] or [])
    for field in ORG_TEXT_FIELDS:
        row[field] = row[field] or ""
    for field in ("community_led", "consent_to_introductions"):
        row[field] = bool(row[field])
    row["movements"] = list(org.get("movements") or [])
    return row


def normalize_tie(tie: Record) -> Record:
    """Every tie field in normal form."""
    row = {f: tie.get(f) for f in TIE_FIELDS}
    row["notes"] = row["notes"] or ""
    row["provenance"] = row["provenance"] or ""
    return row


def normalize_introduction(intro: Record) -> Record:
    """Every introduction field in normal form."""
    row = {f: intro.get(f) for f in INTRO_FIELDS}
    row["reasons"] = list(row["reasons"] or [])
    row["note"] = row["note"] or ""
    return row


def tie_has_ended(tie: dict[str, Any], today: date | None = None) -> bool:
    """True when the tie has an ``until`` date before today (ISO text or a date)."""
    until = tie.get("until")
    if not until:
        return False
    until_date = until if isinstance(until, date) else date.fromisoformat(str(until)[:10])
    return until_date < (today or date.today())
