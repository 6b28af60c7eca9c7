"""JSON: the coalition-map document, version 1 (see DESIGN.md).

``{"format": "coalition-map", "version": 1, "movements": [...], "organizations": [...],
"ties": [...], "introductions": [...]}`` plus, on export, the audience, the date and a
note of what was withheld (counts, never content) and, for an anonymized export, how
many organizations and ties appear as anonymous stand-ins (``anonymized``).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from coalition.domain.errors import InvalidInput, Problem
from coalition.domain.settings import ImportLimits
from coalition.domain.validation import RawMap, RawRow
from coalition.formats.files import ReadBudget, atomic_path, load_json
from coalition.i18n import _

__all__ = ["FORMAT_NAME", "FORMAT_VERSION", "read", "write", "document"]

FORMAT_NAME = "coalition-map"
FORMAT_VERSION = 1
KINDS = ("movements", "organizations", "ties", "introductions")


def document(view: dict[str, Any]) -> dict[str, Any]:
    """The JSON document for a view (see ``coalition.domain.privacy.view_for``)."""
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "audience": view["audience"],
        "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "withheld": view["withheld"],
        **({"anonymized": view["anonymized"]} if view.get("anonymized", {}).get("organizations") else {}),
        **{kind: view[kind] for kind in KINDS},
    }


def write(view: dict[str, Any], path: Path) -> list[Path]:
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(document(view), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return [path]


def read(path: Path, limits: ImportLimits | None = None) -> RawMap:
    """The rows of a coalition-map document. The file is within the byte limit before it
    is parsed; its records are counted before any row is made, and every text measured."""
    doc = load_json(path)
    if not isinstance(doc, dict) or doc.get("format") != FORMAT_NAME:
        message = _('not a coalition map: expected "format": "{format}"').format(format=FORMAT_NAME)
        raise InvalidInput([Problem(message, file=path.name)])
    if doc.get("version") != FORMAT_VERSION:
        shown = doc.get("version") if isinstance(doc.get("version"), str | int | float | None) else "?"
        message = _("coalition-map version '{version}' is not supported (expected 1)").format(version=str(shown)[:20])
        raise InvalidInput([Problem(message, file=path.name)])
    budget = ReadBudget(limits)
    held = sum(len(doc[kind]) for kind in KINDS if isinstance(doc.get(kind), list))
    if held > budget.limits.max_rows:
        raise budget.too_many(path.name, held)
    raw = RawMap()
    for kind in KINDS:
        items = doc.get(kind, [])
        if not isinstance(items, list):
            # TRANSLATORS: {kind} is a part of the file, as named in it: movements, organizations...
            raw.problems.append(Problem(_("{kind} must be a list").format(kind=kind), file=path.name, field=kind))
            continue
        for number, item in enumerate(items, start=1):
            if not isinstance(item, dict):
                raw.problems.append(Problem(_("must be an object"), file=path.name, row=number, field=kind))
                continue
            budget.check_record(item, f"{path.name} {kind}", number)
            getattr(raw, kind).append(RawRow(item, file=f"{path.name} {kind}", row=number))
    return raw
